import ArgumentParser
import Foundation
import WarehouseCore

extension WarehouseCommand {
    struct Hours: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show or set the business hours that reports count in with --business-hours.",
            discussion: """
                A weekly schedule of the workspace, and of a team that works other hours, in the \
                warehouse's time zone; and closed days. Reports given --business-hours count first \
                response and resolution times in them, under the schedule of the conversation's team \
                (Closed By Team, else the workspace's). The current schedule applies to all history.
                """,
            subcommands: [Show.self, Set.self, Clear.self, Holiday.self],
            defaultSubcommand: Show.self
        )

        struct Show: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Show the schedules and closed days.")
            @OptionGroup var database: DatabaseOptions

            func run() throws {
                let warehouse = try database.openExisting()
                Terminal.write(HoursText.describe(try BusinessHours.read(from: warehouse), zone: warehouse.timeZone))
            }
        }

        struct Set: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Set the workspace's weekly schedule, or a team's, replacing the one before.",
                discussion: """
                    Each window is DAYS HH:MM-HH:MM: days as Mon, Mon-Fri, Sat,Sun or daily; several spans \
                    of a day separated by commas. A window that closes at or before it opens runs past \
                    midnight and belongs to the day it opens on (Fri 22:00-06:00); 00:00-24:00 is the whole day.

                      warehouse hours set "Mon-Fri 09:00-17:00" "Sat 10:00-14:00"
                      warehouse hours set --team Sales "Mon-Fri 09:00-12:00,13:00-17:00"
                    """
            )
            @OptionGroup var database: DatabaseOptions
            @Option(help: ArgumentHelp("The team whose own schedule this is (default: the workspace's).", valueName: "name"))
            var team: String?
            @Argument(help: ArgumentHelp("The opening windows.", valueName: "window"))
            var windows: [String] = []

            func run() throws {
                let schedule = try WeeklySchedule(parsing: windows)
                let warehouse = try database.openWritable()
                let name = try BusinessHours.set(schedule, team: team, in: warehouse)
                Terminal.printError((name.map { "team \($0)" } ?? "the workspace") + ": " + schedule.arguments.joined(separator: "; ")
                                    + " (\(warehouse.timeZone)).")
            }
        }

        struct Clear: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Remove the workspace's schedule, or a team's (which then works the workspace's)."
            )
            @OptionGroup var database: DatabaseOptions
            @Option(help: ArgumentHelp("The team (default: the workspace).", valueName: "name")) var team: String?

            func run() throws {
                let warehouse = try database.openWritable()
                let had = try BusinessHours.clear(team: team, in: warehouse)
                let whose = team.map { "team \($0)" } ?? "the workspace"
                Terminal.printError(had ? "\(whose): schedule removed." : "\(whose) had no schedule of its own.")
            }
        }

        struct Holiday: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Close a whole local day, or open it again.",
                subcommands: [Add.self, Remove.self]
            )

            struct Add: ParsableCommand {
                static let configuration = CommandConfiguration(
                    abstract: "Close a local day (YYYY-MM-DD): for every team, or --team's only.",
                    discussion: "A window that opened the day before and runs past midnight still counts: it belongs to the day it opens on."
                )
                @OptionGroup var database: DatabaseOptions
                @Argument(help: ArgumentHelp("The day, YYYY-MM-DD in the warehouse's time zone.", valueName: "date")) var date: String
                @Option(help: ArgumentHelp("The team it closes (default: every team).", valueName: "name")) var team: String?
                @Option(help: ArgumentHelp("What the day is, to show beside it.", valueName: "text")) var name: String?

                func run() throws {
                    let warehouse = try database.openWritable()
                    try BusinessHours.addHoliday(date, team: team, name: name, in: warehouse)
                    Terminal.printError("\(date) closed" + (team.map { " for team \($0)" } ?? " for every team") + ".")
                }
            }

            struct Remove: ParsableCommand {
                static let configuration = CommandConfiguration(abstract: "Open a closed day again.")
                @OptionGroup var database: DatabaseOptions
                @Argument(help: ArgumentHelp("The day, YYYY-MM-DD.", valueName: "date")) var date: String
                @Option(help: ArgumentHelp("The team it was closed for (default: every team).", valueName: "name")) var team: String?

                func run() throws {
                    let warehouse = try database.openWritable()
                    try BusinessHours.removeHoliday(date, team: team, in: warehouse)
                    Terminal.printError("\(date) open again" + (team.map { " for team \($0)" } ?? "") + ".")
                }
            }
        }
    }
}

/// What `warehouse hours` (and the shell's `.hours`) prints.
enum HoursText {
    static func describe(_ hours: BusinessHours, zone: String) -> String {
        var out = ""
        if hours.isEmpty {
            out += "No business hours are set. Set the workspace's with: warehouse hours set \"Mon-Fri 09:00-17:00\"\n"
        } else {
            out += "Business hours, wall time in \(zone) (the warehouse's time zone):\n"
            out += "  workspace: " + (hours.workspace.map { $0.arguments.joined(separator: "; ") } ?? "none (teams without their own have none)") + "\n"
            for team in hours.teams.keys.sorted() {
                out += "  team \(team): " + (hours.teams[team]?.arguments.joined(separator: "; ") ?? "") + "\n"
            }
        }
        if !hours.holidays.isEmpty {
            out += "Closed days:\n"
            for holiday in hours.holidays {
                out += "  \(holiday.date)  " + (holiday.team.map { "team \($0)" } ?? "every team") + (holiday.name.map { "  \($0)" } ?? "") + "\n"
            }
        }
        return out
    }
}
