/// Reply contents built from the handler's answers (pure functions, easy to test).
enum ReplyContent {
    /// With `languageInfo`, that `language_info` (the hosted kernel's) replaces the handler's.
    static func kernelInfo(_ info: KernelInfo, languageInfo: [String: JSONValue]? = nil) -> [String: JSONValue] {
        var content = kernelInfo(info)
        if let languageInfo { content["language_info"] = .object(languageInfo) }
        return content
    }

    /// The hosted kernel's features offered to frontends (the debugger's messages, subshells); any other it lists is
    /// not offered.
    static let relayedFeatures: Set<String> = ["debugger", "kernel subshells"]

    /// The hosted kernel's `kernel_info_reply` content as HubKernel's: its protocol version, `language_info`, help
    /// links (HubKernel's added) and the `relayedFeatures` it offers (`debugger` true with its own); HubKernel's
    /// implementation, version and banner.
    static func kernelInfo(_ info: KernelInfo, relaying child: [String: JSONValue]) -> [String: JSONValue] {
        let own = kernelInfo(info)
        var content = child
        for key in ["status", "implementation", "implementation_version", "banner"] { content[key] = own[key] }
        if content["language_info"]?.objectValue == nil { content["language_info"] = .object(pythonLanguageInfo) }
        content["help_links"] = .array((child["help_links"]?.arrayValue ?? []) + (own["help_links"]?.arrayValue ?? []))
        let features = (child["supported_features"]?.arrayValue ?? []).filter { relayedFeatures.contains($0.stringValue ?? "") }
        content["supported_features"] = .array(features)
        content["debugger"] = .bool(features.contains("debugger") || child["debugger"]?.boolValue == true)
        return content
    }

    /// `language_info` for Python before the hosted ipykernel answered (what ipykernel says, version aside).
    static let pythonLanguageInfo: [String: JSONValue] = [
        "name": "python", "version": "3", "mimetype": "text/x-python", "file_extension": ".py",
        "codemirror_mode": ["name": "ipython", "version": 3], "pygments_lexer": "ipython3", "nbconvert_exporter": "python",
    ]

    static func kernelInfo(_ info: KernelInfo) -> [String: JSONValue] {
        [
            "status": "ok",
            "protocol_version": .string(jupyterProtocolVersion),
            "implementation": .string(info.implementation),
            "implementation_version": .string(info.implementationVersion),
            "language_info": [
                "name": .string(info.languageName),
                "version": .string(info.languageVersion),
                "mimetype": .string(info.mimetype),
                "file_extension": .string(info.fileExtension),
                "pygments_lexer": "text",
                "codemirror_mode": "text/plain",
            ],
            "banner": .string(info.banner),
            "help_links": .array(info.helpLinks.map { ["text": .string($0.text), "url": .string($0.url)] }),
            "debugger": false,
        ]
    }

    static func isComplete(_ completeness: CodeCompleteness) -> [String: JSONValue] {
        switch completeness {
        case .complete: return ["status": "complete"]
        case .incomplete(let indent): return ["status": "incomplete", "indent": .string(indent)]
        case .invalid: return ["status": "invalid"]
        case .unknown: return ["status": "unknown"]
        }
    }

    static func complete(_ completion: Completion) -> [String: JSONValue] {
        ["status": "ok", "matches": .array(completion.matches.map(JSONValue.string)),
         "cursor_start": .number(Double(completion.cursorStart)), "cursor_end": .number(Double(completion.cursorEnd)),
         "metadata": [:]]
    }

    static func inspect(_ bundle: MimeBundle?) -> [String: JSONValue] {
        ["status": "ok", "found": .bool(bundle != nil), "data": .object(bundle ?? [:]), "metadata": [:]]
    }

    /// The error triple of a failed or interrupted cell, or nil on success.
    static func failure(_ outcome: ExecutionOutcome) -> (name: String, value: String, traceback: [String])? {
        switch outcome {
        case .ok, .forward: return nil
        case .error(let name, let value, let traceback): return (name, value, traceback)
        case .interrupted(let message): return ("KeyboardInterrupt", message, [])
        }
    }

    static func errorFields(_ failure: (name: String, value: String, traceback: [String])) -> [String: JSONValue] {
        ["ename": .string(failure.name), "evalue": .string(failure.value),
         "traceback": .array(failure.traceback.map(JSONValue.string))]
    }
}

extension String {
    /// Number of Unicode scalars: the unit of Jupyter's `cursor_pos` since protocol 5.2.
    var scalarCount: Int { unicodeScalars.count }
}
