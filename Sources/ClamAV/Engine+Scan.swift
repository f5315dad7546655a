internal import CClamAV

extension Engine {
    /// Scans bytes in memory through an fmap over them (`cl_fmap_open_memory` +
    /// `cl_scanmap_callback`): no copy, no temporary file. Safe from any number of threads.
    public func scan(_ bytes: UnsafeRawBufferPointer, name: String? = nil, parsing: ScanParsing = .all) -> ScanResult {
        // libclamav cannot map zero bytes; nothing to scan is clean.
        guard let base = bytes.baseAddress, bytes.count > 0 else { return .clean }
        guard let map = cl_fmap_open_memory(base, bytes.count) else {
            return .failed(ClamAVError(function: "cl_fmap_open_memory", code: .nullResult, message: "could not map \(bytes.count) bytes"))
        }
        defer { cl_fmap_close(map) }
        return run("cl_scanmap_callback", parsing: parsing) { virusName, scanned, options, context in
            cl_scanmap_callback(map, name, virusName, scanned, handle, options, context)
        }
    }

    /// Scans bytes held in an array slice; see ``scan(_:name:parsing:)-(UnsafeRawBufferPointer,_,_)``.
    public func scan(_ bytes: ArraySlice<UInt8>, name: String? = nil, parsing: ScanParsing = .all) -> ScanResult {
        bytes.withUnsafeBytes { scan($0, name: name, parsing: parsing) }
    }

    /// Scans an open file from its start to its end (`cl_scandesc_callback`); the caller keeps
    /// ownership of the descriptor.
    public func scan(fileDescriptor: Int32, name: String? = nil, parsing: ScanParsing = .all) -> ScanResult {
        run("cl_scandesc_callback", parsing: parsing) { virusName, scanned, options, context in
            cl_scandesc_callback(fileDescriptor, name, virusName, scanned, handle, options, context)
        }
    }

    /// libclamav's scan options for these engine options: all-match mode always, every parser
    /// (less those `parsing` turns off), heuristics as configured.
    func scanOptions(_ parsing: ScanParsing) -> cl_scan_options {
        var general = UInt32(CL_SCAN_GENERAL_ALLMATCHES)
        if options.heuristicAlerts { general |= UInt32(CL_SCAN_GENERAL_HEURISTICS) }
        var parse = ~UInt32(0)
        if !parsing.mail { parse &= ~UInt32(CL_SCAN_PARSE_MAIL) }
        let heuristic = options.heuristicAlerts ? options.heuristics.rawValue : 0
        return cl_scan_options(general: general, parse: parse, heuristic: heuristic, mail: 0, dev: 0)
    }

    /// Runs one scan call with a fresh match collector as its callback context, and turns the
    /// return code into a ``ScanResult``.
    private func run(
        _ function: String,
        parsing: ScanParsing,
        _ call: (
            UnsafeMutablePointer<UnsafePointer<CChar>?>, UnsafeMutablePointer<UInt>,
            UnsafeMutablePointer<cl_scan_options>, UnsafeMutableRawPointer
        ) -> cl_error_t
    ) -> ScanResult {
        let collector = MatchCollector()
        var options = scanOptions(parsing)
        var virusName: UnsafePointer<CChar>? = nil
        var scanned: UInt = 0
        let value = withExtendedLifetime(collector) {
            call(&virusName, &scanned, &options, Unmanaged.passUnretained(collector).toOpaque())
        }
        switch value {
        case CL_CLEAN:
            return .clean
        case CL_VIRUS:
            // The callback sees strong matches; a heuristic ("potentially unwanted") result may
            // arrive only as the returned name.
            if let virusName { collector.add(String(cString: virusName)) }
            return .matched(collector.names)
        default:
            return .failed(ClamAVError(function: function, value: value))
        }
    }
}
