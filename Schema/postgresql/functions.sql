-- The SQL functions the report library is written with (Sources/WarehouseCore/SQLite/
-- SQLFunctions.swift registers them on SQLite), made on PostgreSQL with the same results:
-- the same values, and a result of the type that renders as the SQLite one does (csv and
-- json print an integral real as an integer, so an exact numeric 3 and SQLite's integer 3
-- read alike). README.md beside this file says what differs and why. business_seconds, the
-- business hours of a span, is in business_schedules.sql and business_seconds.sql beside this
-- file, run after it.
--
-- `@schema@` stands for the warehouse's schema, its name quoted: the store puts it in before
-- it runs the file. Each body names the functions it calls with it, so a function reached as
-- `warehouse.median(x)` (a BI tool's search_path need not hold the schema) finds its helpers.
-- The file may run again over an older one: every statement replaces what it makes.
--
-- Overloads: PostgreSQL resolves a call whose argument needs a cast towards double precision
-- (the preferred type of numbers), so a function that must stay exact on integers has an
-- overload for each integer type the schema uses (smallint, integer, bigint), and one for
-- double precision that does what SQLite does with reals.

-- MARK: Rank statistics
--
-- The aggregates collect their values with array_append, the one transition PostgreSQL runs
-- in place (an array kept expanded in the aggregate's memory): a transition written in SQL
-- or PL/pgSQL copies the whole state on every row, quadratic in the group's size. The final
-- function sorts. NULLs are collected too (array_append is not strict) and left out there.

-- median(x): the middle value of the sorted non-NULL values, or the mean of the two middle
-- ones when their count is even; NULL when there are none. Exact on integers (a numeric:
-- 3.5, or 3 without a scale); on reals the mean is taken in double precision, as SQLite does.
CREATE OR REPLACE FUNCTION @schema@.median_of_integers(v anyarray) RETURNS numeric
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT CASE WHEN n % 2 = 1 THEN s[n / 2 + 1]::numeric
                ELSE trim_scale((s[n / 2]::numeric + s[n / 2 + 1]::numeric) / 2) END
    FROM (SELECT array_agg(x ORDER BY x) AS s, count(*)::integer AS n FROM unnest(v) x WHERE x IS NOT NULL) sorted
    WHERE n > 0
$$;

CREATE OR REPLACE FUNCTION @schema@.median_of_reals(v double precision[]) RETURNS double precision
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT CASE WHEN n % 2 = 1 THEN s[n / 2 + 1] ELSE (s[n / 2] + s[n / 2 + 1]) / 2 END
    FROM (SELECT array_agg(x ORDER BY x) AS s, count(*)::integer AS n FROM unnest(v) x WHERE x IS NOT NULL) sorted
    WHERE n > 0
$$;

CREATE OR REPLACE AGGREGATE @schema@.median(smallint) (
    SFUNC = array_append, STYPE = smallint[], FINALFUNC = @schema@.median_of_integers, PARALLEL = SAFE);
CREATE OR REPLACE AGGREGATE @schema@.median(integer) (
    SFUNC = array_append, STYPE = integer[], FINALFUNC = @schema@.median_of_integers, PARALLEL = SAFE);
CREATE OR REPLACE AGGREGATE @schema@.median(bigint) (
    SFUNC = array_append, STYPE = bigint[], FINALFUNC = @schema@.median_of_integers, PARALLEL = SAFE);
CREATE OR REPLACE AGGREGATE @schema@.median(double precision) (
    SFUNC = array_append, STYPE = double precision[], FINALFUNC = @schema@.median_of_reals, PARALLEL = SAFE);

-- The nearest rank of P (0 < P <= 100) among n values: ceil(P·n/100), at least 1. The
-- same double-precision operations as SQLFunctions.nearestRank, its tolerance included
-- (90 × 10 / 100 is 9, not 9.000000000000002 rounded up). PostgreSQL's
-- percentile_disc(P / 100.0) takes ceil((P/100)·n) instead: rank 8, not 7, for P = 14, n = 50.
CREATE OR REPLACE FUNCTION @schema@.nearest_rank(p double precision, n integer) RETURNS integer
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT least(greatest(ceil(p * n::double precision / 100::double precision - 1e-9::double precision)::integer, 1), n)
$$;

-- rank_value(values, P): the value at the nearest rank of P among the non-NULL values of
-- `values` (NULL when none, or when `values` is NULL); P must be above 0 and at most 100,
-- the same error as on SQLite (raised by rank_value_refused, stable so that no plan
-- evaluates it ahead). With rank_values below, `rank_value(rank_values(x), P)` is
-- percentile(x, P) collected in place: the report library's spelling.
CREATE OR REPLACE FUNCTION @schema@.rank_value_refused(v anyarray) RETURNS anyelement
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
BEGIN
    RAISE EXCEPTION 'rank_value(values, P): P must be a number above 0 and at most 100';
END
$$;

CREATE OR REPLACE FUNCTION @schema@.rank_value(v anyarray, p double precision) RETURNS anyelement
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN v IS NULL THEN NULL
        WHEN p IS NULL OR NOT (p > 0 AND p <= 100) THEN @schema@.rank_value_refused(v)
        ELSE (SELECT s[@schema@.nearest_rank(p, n)]
              FROM (SELECT array_agg(x ORDER BY x) AS s, count(*)::integer AS n FROM unnest(v) x WHERE x IS NOT NULL) sorted
              WHERE n > 0)
    END
$$;

-- rank_values(x): the values of a group as an array, for rank_value. A one-argument
-- aggregate, so array_append collects in place (percentile(x, P) cannot). Integers stay
-- integers (exact, as SQLite's rank_values keeps them); NULLs are left out by rank_value.
CREATE OR REPLACE AGGREGATE @schema@.rank_values(smallint) (SFUNC = array_append, STYPE = smallint[], PARALLEL = SAFE);
CREATE OR REPLACE AGGREGATE @schema@.rank_values(integer) (SFUNC = array_append, STYPE = integer[], PARALLEL = SAFE);
CREATE OR REPLACE AGGREGATE @schema@.rank_values(bigint) (SFUNC = array_append, STYPE = bigint[], PARALLEL = SAFE);
CREATE OR REPLACE AGGREGATE @schema@.rank_values(double precision) (
    SFUNC = array_append, STYPE = double precision[], PARALLEL = SAFE);

-- p90(x): the value at rank ceil(0.9·n) of the sorted non-NULL values. An integer on integers.
CREATE OR REPLACE FUNCTION @schema@.p90_of_integers(v anyarray) RETURNS bigint
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT @schema@.rank_value(v, 90)::bigint $$;

CREATE OR REPLACE FUNCTION @schema@.p90_of_reals(v double precision[]) RETURNS double precision
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT @schema@.rank_value(v, 90) $$;

CREATE OR REPLACE AGGREGATE @schema@.p90(smallint) (
    SFUNC = array_append, STYPE = smallint[], FINALFUNC = @schema@.p90_of_integers, PARALLEL = SAFE);
CREATE OR REPLACE AGGREGATE @schema@.p90(integer) (
    SFUNC = array_append, STYPE = integer[], FINALFUNC = @schema@.p90_of_integers, PARALLEL = SAFE);
CREATE OR REPLACE AGGREGATE @schema@.p90(bigint) (
    SFUNC = array_append, STYPE = bigint[], FINALFUNC = @schema@.p90_of_integers, PARALLEL = SAFE);
CREATE OR REPLACE AGGREGATE @schema@.p90(double precision) (
    SFUNC = array_append, STYPE = double precision[], FINALFUNC = @schema@.p90_of_reals, PARALLEL = SAFE);

-- percentile(x, P): the value at rank ceil(P·n/100), P above 0 and at most 100 (the first
-- row's P, as on SQLite). A transition of two arguments cannot be array_append, so this one
-- is PL/pgSQL and copies its state on each row: quadratic, fine for thousands of values, not
-- for a whole warehouse's conversations: the reports say rank_value(rank_values(x), P).
-- The state is P, then the values as doubles (SQLite ranks them as doubles too).
CREATE OR REPLACE FUNCTION @schema@.percentile_step(state double precision[], x anyelement, p double precision)
RETURNS double precision[] LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
    IF state IS NULL THEN
        IF p IS NULL OR NOT (p > 0 AND p <= 100) THEN
            RAISE EXCEPTION 'percentile(x, P): P must be a number above 0 and at most 100';
        END IF;
        state := ARRAY[p];
    END IF;
    IF x IS NOT NULL THEN
        state := array_append(state, x::double precision);
    END IF;
    RETURN state;
END
$$;

CREATE OR REPLACE FUNCTION @schema@.percentile_of_reals(state double precision[]) RETURNS double precision
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT @schema@.rank_value(state[2:], state[1])
$$;

CREATE OR REPLACE FUNCTION @schema@.percentile_of_integers(state double precision[]) RETURNS bigint
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT @schema@.percentile_of_reals(state)::bigint
$$;

CREATE OR REPLACE AGGREGATE @schema@.percentile(smallint, double precision) (
    SFUNC = @schema@.percentile_step, STYPE = double precision[], FINALFUNC = @schema@.percentile_of_integers);
CREATE OR REPLACE AGGREGATE @schema@.percentile(integer, double precision) (
    SFUNC = @schema@.percentile_step, STYPE = double precision[], FINALFUNC = @schema@.percentile_of_integers);
CREATE OR REPLACE AGGREGATE @schema@.percentile(bigint, double precision) (
    SFUNC = @schema@.percentile_step, STYPE = double precision[], FINALFUNC = @schema@.percentile_of_integers);
CREATE OR REPLACE AGGREGATE @schema@.percentile(double precision, double precision) (
    SFUNC = @schema@.percentile_step, STYPE = double precision[], FINALFUNC = @schema@.percentile_of_reals);

-- count_distinct(x): how many distinct non-NULL integers x holds, as count(DISTINCT x) (on
-- SQLite it is one pass over values that come in order; here a sort of the collected ones).
CREATE OR REPLACE FUNCTION @schema@.distinct_count(v bigint[]) RETURNS bigint
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT count(DISTINCT x) FROM unnest(v) x
$$;

CREATE OR REPLACE AGGREGATE @schema@.count_distinct(bigint) (
    SFUNC = array_append, STYPE = bigint[], INITCOND = '{}', FINALFUNC = @schema@.distinct_count, PARALLEL = SAFE);

-- MARK: Rounding

-- div_round(a, b [, digits]): a / b rounded half away from zero to `digits` decimals (0 to 9;
-- NULL counts as 0, as on SQLite); NULL when a or b is NULL or b is 0. Exact on integers
-- and numerics (SQLite's sum of integers is an integer; PostgreSQL's is a numeric): the
-- rounded quotient scaled to an integer, floor((2|a|·10^d + |b|) / 2|b|) with its sign. With
-- digits, that integer over 10^d in double precision, as SQLite divides it (33.33; and past
-- 2^53 the same nearest double).
CREATE OR REPLACE FUNCTION @schema@.div_round_scaled(a numeric, b numeric, places integer) RETURNS numeric
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT sign(a) * sign(b) * div(2 * abs(a) * power(10::numeric, places) + abs(b), 2 * abs(b))
$$;

CREATE OR REPLACE FUNCTION @schema@.div_round(a numeric, b numeric) RETURNS bigint
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT CASE WHEN b <> 0 THEN @schema@.div_round_scaled(a, b, 0)::bigint END
$$;

CREATE OR REPLACE FUNCTION @schema@.div_round(a numeric, b numeric, digits integer) RETURNS double precision
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
    places integer := coalesce(digits, 0);
BEGIN
    IF a IS NULL OR b IS NULL THEN RETURN NULL; END IF;
    IF places < 0 OR places > 9 THEN RAISE EXCEPTION 'div_round: digits must be 0 to 9'; END IF;
    IF b = 0 THEN RETURN NULL; END IF;
    RETURN @schema@.div_round_scaled(a, b, places)::double precision / (10::double precision ^ places);
END
$$;

-- On reals, SQLite's double-precision steps: a / b · 10^d rounded half away from zero, / 10^d.
-- Half away from zero is kept exact: x − trunc(x) has no rounding error, where
-- floor(x + 0.5) has one (0.49999999999999994 + 0.5 is 1).
CREATE OR REPLACE FUNCTION @schema@.round_half_away(x double precision) RETURNS double precision
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT CASE WHEN abs(x - trunc(x)) >= 0.5 THEN trunc(x) + sign(x) ELSE trunc(x) END
$$;

CREATE OR REPLACE FUNCTION @schema@.div_round(a double precision, b double precision, digits integer) RETURNS double precision
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
    places integer := coalesce(digits, 0);
    scale double precision;
BEGIN
    IF a IS NULL OR b IS NULL THEN RETURN NULL; END IF;
    IF places < 0 OR places > 9 THEN RAISE EXCEPTION 'div_round: digits must be 0 to 9'; END IF;
    IF b = 0 THEN RETURN NULL; END IF;
    scale := 10::double precision ^ places;
    -- With 0 digits SQLite returns an integer, so no -0 (+ 0 makes -0 into 0; with digits it stays, as on SQLite).
    RETURN CASE WHEN places = 0 THEN @schema@.round_half_away(a / b * scale) + 0::double precision
                ELSE @schema@.round_half_away(a / b * scale) / scale END;
END
$$;

CREATE OR REPLACE FUNCTION @schema@.div_round(a smallint, b smallint, digits integer) RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT @schema@.div_round(a::numeric, b::numeric, digits) $$;
CREATE OR REPLACE FUNCTION @schema@.div_round(a integer, b integer, digits integer) RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT @schema@.div_round(a::numeric, b::numeric, digits) $$;
CREATE OR REPLACE FUNCTION @schema@.div_round(a bigint, b bigint, digits integer) RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT @schema@.div_round(a::numeric, b::numeric, digits) $$;

CREATE OR REPLACE FUNCTION @schema@.div_round(a smallint, b smallint) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT @schema@.div_round(a::numeric, b::numeric) $$;
CREATE OR REPLACE FUNCTION @schema@.div_round(a integer, b integer) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT @schema@.div_round(a::numeric, b::numeric) $$;
CREATE OR REPLACE FUNCTION @schema@.div_round(a bigint, b bigint) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT @schema@.div_round(a::numeric, b::numeric) $$;
-- An integral double as SQLite returns it: an integer below 2^63 (a numeric without a scale,
-- which renders as one; 10^15 and more would render as a real otherwise), a real beyond.
-- Not x::numeric alone: that keeps 15 significant digits.
CREATE OR REPLACE FUNCTION @schema@.as_integer(x double precision) RETURNS numeric
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT CASE WHEN abs(x) < 9.2e18 THEN x::bigint::numeric ELSE x::numeric END
$$;

CREATE OR REPLACE FUNCTION @schema@.div_round(a double precision, b double precision) RETURNS numeric
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT @schema@.as_integer(@schema@.div_round(a, b, 0)) $$;

-- round_half(x): x rounded half away from zero to an integer (numeric's round does that;
-- double precision's rounds half to even, hence round_half_away). Of a double, as_integer's.
CREATE OR REPLACE FUNCTION @schema@.round_half(x integer) RETURNS bigint
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT x::bigint $$;
CREATE OR REPLACE FUNCTION @schema@.round_half(x bigint) RETURNS bigint
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT x $$;
CREATE OR REPLACE FUNCTION @schema@.round_half(x numeric) RETURNS bigint
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT round(x)::bigint $$;
CREATE OR REPLACE FUNCTION @schema@.round_half(x double precision) RETURNS numeric
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT @schema@.as_integer(@schema@.round_half_away(x)) $$;

-- MARK: Time

-- local_time(ts, zone): the UTC instant `ts` (seconds) as wall time in an IANA zone,
-- 'YYYY-MM-DD HH:MM:SS'; NULL when either is NULL, or when the year is not 1 to 9999.
-- AT TIME ZONE and Foundation both apply IANA's rules (PostgreSQL reads the system's zone
-- files). to_char with these fields depends on no setting (DateStyle, lc_time). Written as
-- one expression, not strict, so that PostgreSQL inlines it into the query that calls it
-- (a strict function or one with a FROM is called row by row: four times slower); instants
-- within a day of year 1 or 10000 are left to local_time_at_edge, which looks at the year.
CREATE OR REPLACE FUNCTION @schema@.local_time_at_edge(ts bigint, zone text) RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
DECLARE
    wall timestamp;
BEGIN
    -- Beyond these, the year is outside 1 to 9999 in every zone (and may be beyond PostgreSQL's range).
    IF ts IS NULL OR zone IS NULL OR ts < -62135596800 - 93600 OR ts > 253402300800 + 93600 THEN
        RETURN NULL;
    END IF;
    wall := to_timestamp(ts) AT TIME ZONE zone;
    IF wall < '0001-01-01' OR wall >= '10000-01-01' THEN RETURN NULL; END IF;
    RETURN to_char(wall, 'YYYY-MM-DD HH24:MI:SS');
END
$$;

CREATE OR REPLACE FUNCTION @schema@.local_time(ts bigint, zone text) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN ts BETWEEN -62135596800 + 93600 AND 253402300800 - 93600
                THEN to_char(to_timestamp(ts) AT TIME ZONE zone, 'YYYY-MM-DD HH24:MI:SS')
                ELSE @schema@.local_time_at_edge(ts, zone) END
$$;

-- period_start(local, by): the day ('YYYY-MM-DD'), the week (its Monday's date) or the month
-- ('YYYY-MM') of a local time; `by` NULL is a day. The same errors as on SQLite, raised by
-- period_start_refused (stable, so that no plan evaluates it ahead for constant arguments).
-- One expression, inlined where its arguments are columns.
CREATE OR REPLACE FUNCTION @schema@.period_start_refused(local text, unit text) RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
BEGIN
    IF octet_length(local) < 10 OR unit = 'week' THEN
        RAISE EXCEPTION 'period_start: ''%'' is not a local time', local;
    END IF;
    RAISE EXCEPTION 'period_start: by must be day, week or month, not ''%''', unit;
END
$$;

CREATE OR REPLACE FUNCTION @schema@.period_start(local text, unit text) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN local IS NULL THEN NULL
        WHEN octet_length(local) < 10 THEN @schema@.period_start_refused(local, unit)
        WHEN unit IS NULL OR unit = 'day' THEN left(local, 10)
        WHEN unit = 'month' THEN left(local, 7)
        WHEN unit = 'week' AND left(local, 10) ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' THEN
            to_char(left(local, 10)::date - (extract(isodow FROM left(local, 10)::date)::integer - 1), 'YYYY-MM-DD')
        ELSE @schema@.period_start_refused(local, unit)
    END
$$;

-- MARK: Natural ID order

-- natural_id_key(id): a sort key whose byte order is the SQLite collation `natural_id`'s
-- order (NaturalID.compare): IDs of ASCII digits first, as numbers of any length (leading
-- zeros aside), equal numbers by their text ('007' before '7'); then every other ID by the
-- bytes of its UTF-8, which is code point order ('B' before 'a' before 'b'; '' first). A
-- collation cannot be written in SQL, and a locale's or ICU's would order text otherwise
-- (case and accents folded, punctuation skipped), hence a key: `ORDER BY
-- natural_id_key(user_id)` where SQLite says `ORDER BY user_id COLLATE natural_id`.
-- Digits: 0x00, the number's digit count (4 bytes, big-endian), its digits, the ID itself.
-- Other IDs: 0x01 and the ID. NULL: the empty key, before every other as SQLite orders NULL
-- (first ascending, last descending). The text's bytes come from decode(…, 'escape') with
-- its backslashes doubled: the database encoding's bytes (UTF-8), without convert_to, which
-- is only stable.
CREATE OR REPLACE FUNCTION @schema@.natural_id_key(id text) RETURNS bytea
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN id IS NULL THEN '\x'::bytea
        WHEN id ~ '^[0-9]+$' THEN
            '\x00'::bytea || int4send(length(coalesce(nullif(ltrim(id, '0'), ''), '0')))
                || decode(coalesce(nullif(ltrim(id, '0'), ''), '0'), 'escape')
                || decode(id, 'escape')
        ELSE '\x01'::bytea || decode(replace(id, '\', '\\'), 'escape')
    END
$$;

-- weekday(local): 1 = Monday … 7 = Sunday, of a local time or date ('YYYY-MM-DD…'): the
-- portable form of SQLite's strftime('%w') arithmetic.
CREATE OR REPLACE FUNCTION @schema@.weekday(local text) RETURNS integer
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
    IF local IS NULL THEN RETURN NULL; END IF;
    IF left(local, 10) !~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' THEN
        RAISE EXCEPTION 'weekday: ''%'' is not a local time', local;
    END IF;
    RETURN extract(isodow FROM make_date(substr(local, 1, 4)::integer, substr(local, 6, 2)::integer,
                                         substr(local, 9, 2)::integer))::integer;
END
$$;

-- COLLATE NOCASE, as SQLite's: equal when equal but for case. PostgreSQL folds the
-- unquoted name to `nocase` and finds this one in the warehouse's schema. ICU at
-- strength 2 ignores case and keeps accents; SQLite's NOCASE folds only A–Z, so the
-- two part only for letters beyond ASCII that differ by case alone (no report compares
-- such text: agent_opened_conversations compares Opened By Source with 'user').
CREATE COLLATION IF NOT EXISTS @schema@.nocase (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
