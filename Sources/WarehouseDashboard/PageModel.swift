import Mustache

// What the template shows: plain values, every text already formatted. Names
// are distinct across these types, because a Mustache name missing from the
// current item is looked up in the items around it.

/// The whole page.
struct PageModel {
    let pageTitle: String
    /// The period, time zone and filters of the page, in words.
    let pageScope: String
    /// When and from which warehouse the page was made.
    let madeFrom: String
    let contents: [ContentsEntry]
    let overview: OverviewModel
    let sections: [SectionModel]
    /// What the page's Content-Security-Policy lets a form send to: `'none'`
    /// for the file; `'self'` for the page `warehouse serve` serves, whose form
    /// asks it again for another period.
    let formAction: String
    let filterForm: FilterFormModel?
}

/// The served page's form: the period and filters, sent back as a GET.
struct FilterFormModel {
    let formTarget: String
    let fields: [FormField]
    /// A read token given in the page's address, sent again with the form.
    let hiddenToken: String?
}

struct FormField {
    let fieldName: String
    let fieldLabel: String
    let fieldType: String
    let fieldValue: String
    /// A checkbox that is ticked.
    let fieldChecked: Bool
}

struct ContentsEntry {
    let anchor: String
    let label: String
}

/// The headline KPIs against the previous period.
struct OverviewModel {
    let overviewScope: String
    /// Said when there is no previous period to compare with.
    let comparisonNote: String?
    let kpis: [KPIModel]
    let kpiTable: TableModel
}

struct KPIModel {
    let kpiLabel: String
    let kpiValue: String
    /// "previous 1h 02m", or nil.
    let kpiPrevious: String?
    /// "▲ +12.50%" and what it means: `good`, `bad` or `neutral` (a CSS class);
    /// nil without a previous period.
    let change: String?
    let judgement: String
    /// The change or its absence in words, for screen readers and print.
    let judgementText: String?
    let kpiChart: String?
}

/// One part of the page: a heading, the period and filters it covers, and its
/// parts (a chart with its numbers as a table, or a sentence where there is
/// nothing to show).
struct SectionModel {
    let sectionID: String
    let heading: String
    let scope: String
    /// What the section's rule or reading is, where it needs saying.
    let notes: [String]
    let parts: [PartModel]
}

struct PartModel {
    let subheading: String?
    /// The SVG, drawn by SVGCharts (already escaped).
    let chart: String?
    let table: TableModel?
    /// Said instead of a chart and table when the period has nothing to show.
    let emptyText: String?
    /// A table too wide to sit beside its chart goes under it.
    let wide: Bool

    init(subheading: String?, chart: String?, table: TableModel?, emptyText: String?) {
        (self.subheading, self.chart, self.table, self.emptyText) = (subheading, chart, table, emptyText)
        wide = (table?.headers.count ?? 0) > 4
    }
}

/// A report's numbers: each cell shows its value formatted and carries the
/// value as the report's csv writes it (`data-value`), so the page can be
/// checked against the report.
struct TableModel {
    let caption: String
    /// The report the numbers come from, and its --by and --group-by where given.
    let report: String
    let byParameter: String?
    let groupByParameter: String?
    let headers: [HeaderModel]
    let rows: [RowModel]
    /// A table of many rows scrolls on a screen (all of it prints).
    let long: Bool
}

struct HeaderModel {
    let label: String
    let headerNumeric: Bool
}

struct RowModel {
    let cells: [CellModel]
    let flagged: Bool
}

struct CellModel {
    let text: String
    let value: String
    let column: String
    let numeric: Bool
    /// The first cell of a row heads it (`<th scope="row">`).
    let rowHeader: Bool
}

// The table cells are most of what the template reads: named look-ups instead
// of Mustache's reflection (Mirror) of each cell.
extension CellModel: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "text": return text
        case "value": return value
        case "column": return column
        case "numeric": return numeric
        case "rowHeader": return rowHeader
        default: return nil
        }
    }
}

extension RowModel: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "cells": return cells
        case "flagged": return flagged
        default: return nil
        }
    }
}
