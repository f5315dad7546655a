/// One key of a `[section]`, declared once: its name, its type (which says how it is read and
/// checked), its one-line meaning and the property it sets. The default is the property's
/// initial value in the section's struct. The loader, the unknown-key suggestions, the
/// `SCANMILTER_<SECTION>_<KEY>` overrides and the reference-file test all come from these.
struct Setting<Section> {
    /// The key as written in the file, e.g. `max_message_size`.
    let name: String
    /// What it means, in one line (the reference file's comment).
    let meaning: String
    /// Whether the key is unset by default (commented out in the reference file).
    let unsetByDefault: Bool
    /// Reads the key, if given, into `section`; a wrong value is recorded in the reader.
    let read: (inout SectionReader, inout Section) -> Void

    init<Value>(_ name: String, _ property: WritableKeyPath<Section, Value>, _ type: SettingType<Value>, _ meaning: String) {
        self.name = name
        self.meaning = meaning
        self.unsetByDefault = type.unsetByDefault
        self.read = { reader, section in
            if let value = reader.value(name, type) { section[keyPath: property] = value }
        }
    }
}

/// A settings struct that is one `[section]` of the file.
protocol SettingsSection: Sendable, Equatable {
    /// The section's name, e.g. `scan`.
    static var name: String { get }
    /// Every key of the section, in the reference file's order.
    static var settings: [Setting<Self>] { get }
    /// The defaults.
    init()
    /// Checks that involve more than one key, after every key is read.
    func checkTogether(_ reader: inout SectionReader)
}

extension SettingsSection {
    func checkTogether(_ reader: inout SectionReader) {}
}

/// A section of ``ScanmilterConfig`` with its keys, type-erased so the loader can walk them all.
struct SectionDeclaration {
    /// What the reference file and the documentation say about one key.
    struct Key {
        let name: String
        let meaning: String
        let unsetByDefault: Bool
    }

    /// The section's name, e.g. `scan`.
    let name: String
    /// Its keys, in declaration order.
    let keys: [Key]
    /// Reads the section into the configuration.
    let read: (inout SectionReader, inout ScanmilterConfig) -> Void

    init<Section: SettingsSection>(_ property: WritableKeyPath<ScanmilterConfig, Section>) {
        let settings = Section.settings
        name = Section.name
        keys = settings.map { Key(name: $0.name, meaning: $0.meaning, unsetByDefault: $0.unsetByDefault) }
        read = { reader, config in
            var section = Section()
            for setting in settings { setting.read(&reader, &section) }
            section.checkTogether(&reader)
            config[keyPath: property] = section
        }
    }
}
