import Testing
@testable import WarehousePostgres

@Suite struct SQLScriptTests {
    @Test func cutsAtTopLevelSemicolonsOnly() {
        let script = """
            -- a comment; with a semicolon
            CREATE TABLE a (x text DEFAULT 'it''s; here');
            /* block; /* nested; */ still a comment; */
            SELECT "odd;name", E'back\\\\slash\\'; quote', $1 FROM a;
            CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $body$ BEGIN RETURN 1; END $body$;
            CREATE FUNCTION g() RETURNS int LANGUAGE sql AS $$ SELECT 2; $$;
            ;  -- nothing here
            SELECT 3
            """
        let statements = SQLScript.statements(script)
        #expect(statements.count == 5, "\(statements)")
        #expect(statements[0].hasSuffix("DEFAULT 'it''s; here')"))
        #expect(statements[1].contains("E'back\\\\slash\\'; quote', $1 FROM a"))
        #expect(statements[2].hasSuffix("END $body$"))
        #expect(statements[3].hasSuffix("SELECT 2; $$"))
        #expect(statements[4].hasPrefix("-- nothing here") && statements[4].hasSuffix("\nSELECT 3"))
    }

    @Test func theReportFunctionsScriptCutsIntoItsStatements() throws {
        let statements = SQLScript.statements(try ReportFunctions.script(schema: "warehouse"))
        #expect(statements.count > 40)
        #expect(statements.allSatisfy { $0.hasPrefix("CREATE OR REPLACE") || $0.hasPrefix("--") })
        #expect(try !ReportFunctions.script(schema: "w").contains("@schema@"))
        #expect(ReportFunctions.quoteIdentifier("a\"b") == "\"a\"\"b\"")
    }
}
