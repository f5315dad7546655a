import ArgumentParser

/// `scanmilterctl scan`: placeholder until the Scanning issue lands.
struct ScanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "scan", abstract: "Scan messages offline.")
}
