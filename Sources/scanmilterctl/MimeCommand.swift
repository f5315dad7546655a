import ArgumentParser

/// `scanmilterctl mime`: placeholder until the MIME issue lands.
struct MimeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "mime", abstract: "Print a message's MIME tree.")
}
