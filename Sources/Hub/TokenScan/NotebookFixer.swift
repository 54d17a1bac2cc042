import Foundation

/// `--fix`: rewrites a notebook so the tokens in it are gone. Tokens in outputs, attachments, metadata and
/// non-code cells become their mask (`hf_****wxyz`); in a Python code cell, only with `fixCode`, a quoted token
/// becomes `os.environ["HF_TOKEN"]` (with `import os` added when the cell lacks it) and one on a `!`/`%` line
/// becomes `$HF_TOKEN`. Only the JSON strings that hold a token are re-encoded, so everything else keeps its bytes
/// and the file stays valid nbformat. The original is first copied to `backupFolder` (0600 in a 0700 folder: it
/// still holds the tokens), and the new file replaces the old one atomically with the same permissions.
/// Git history is never touched.
public struct NotebookFixer {
    /// What fixing one notebook did.
    public struct Outcome: Sendable, Equatable {
        public var path: String
        /// Tokens replaced by their mask.
        public var masked = 0
        /// Tokens in code replaced by a reference to the environment.
        public var replacedInCode = 0
        /// Tokens left in code (no `--fix-code`, not a Python notebook, or inside a longer string literal).
        public var leftInCode = 0
        /// Where the original went (nil when nothing changed).
        public var backup: String?
    }

    public let fixCode: Bool
    public let backupFolder: String

    public init(fixCode: Bool, backupFolder: String) {
        self.fixCode = fixCode
        self.backupFolder = backupFolder
    }

    /// Fixes the notebook at `path`; throws `TokenScanError.fixFailed` (the notebook unchanged) when it cannot.
    public func fix(_ path: String) throws -> Outcome {
        var outcome = Outcome(path: path)
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TokenScanError.fixFailed(path: path, detail: "it cannot be read")
        }
        let bytes = [UInt8](data)
        guard let walk = try? NotebookWalker.walk(bytes) else {
            throw TokenScanError.fixFailed(path: path, detail: "it is not valid JSON, so it cannot be rewritten safely; edit it by hand")
        }
        let rewritten = rewrite(bytes, walk: walk, outcome: &outcome)
        guard outcome.masked + outcome.replacedInCode > 0 else { return outcome }
        guard (try? NotebookWalker.walk(rewritten)) != nil else {
            throw TokenScanError.fixFailed(path: path, detail: "the rewritten notebook did not parse back (please report this)")
        }
        outcome.backup = try backUp(path, data: data)
        do {
            let mode = FileSystem.status(of: path)?.permissions ?? 0o644
            try Data(rewritten).write(to: URL(fileURLWithPath: path), options: .atomic)
            chmod(path, mode_t(mode))
        } catch {
            throw TokenScanError.fixFailed(path: path, detail: "\(error.localizedDescription) (the original is in \(outcome.backup ?? "the backup folder"))")
        }
        return outcome
    }

    /// The notebook's bytes with each string that holds a token re-encoded without it.
    func rewrite(_ bytes: [UInt8], walk: NotebookWalker.Result, outcome: inout Outcome) -> [UInt8] {
        let python = walk.language.map { $0.lowercased() == "python" } ?? true
        var replacements: [Range<Int>: [UInt8]] = [:]
        var needsImport: Set<Int> = []
        for hit in walk.hits {
            var text = hit.text
            for match in hit.matches.reversed() {  // from the end, so earlier offsets stay valid
                let place = NotebookPlace(path: hit.path, text: hit.text, offset: match.start)
                let token = Array(hit.text[match.start..<match.end])
                let isCode = !hit.isKey && place.isSource && place.cell.flatMap { walk.cellTypes[$0 - 1] } == "code"
                if !isCode {
                    text.replaceSubrange(match.start..<match.end, with: Array(TokenRedactor.mask(String(decoding: token, as: UTF8.self)).utf8))
                    outcome.masked += 1
                } else if fixCode && python, let (range, reference) = Self.environmentReference(in: text, match: match) {
                    text.replaceSubrange(range, with: Array(reference.utf8))
                    if reference.hasPrefix("os."), let cell = place.cell, !walk.cellsImportingOS.contains(cell - 1) { needsImport.insert(cell - 1) }
                    outcome.replacedInCode += 1
                } else {
                    outcome.leftInCode += 1
                }
            }
            if text != hit.text { replacements[hit.rawRange] = Self.jsonString(text) }
        }
        for cell in needsImport {
            guard let range = walk.firstSourceString[cell] else { continue }
            var first = replacements[range].map { Array($0.dropFirst().dropLast()) } ?? Array(bytes[(range.lowerBound + 1)..<(range.upperBound - 1)])
            var decoded: [UInt8] = []
            first.withUnsafeBufferPointer { NotebookWalker.decode($0, into: &decoded) }
            first = Self.jsonString(Array("import os\n".utf8) + decoded)
            replacements[range] = first
        }
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var position = 0
        for range in replacements.keys.sorted(by: { $0.lowerBound < $1.lowerBound }) {
            output += bytes[position..<range.lowerBound]
            output += replacements[range]!
            position = range.upperBound
        }
        output += bytes[position...]
        return output
    }

    /// What replaces a token in Python code: a quoted token (`"hf_…"`, `'hf_…'`) becomes `os.environ["HF_TOKEN"]`;
    /// on a shell (`!`) or magic (`%`) line an unquoted one becomes `$HF_TOKEN`; outside any string, `os.environ["HF_TOKEN"]`.
    /// A token inside a longer string (`f"Bearer hf_…"`) gets nil: no replacement keeps that code right, so it is left
    /// for the user to edit (and reported).
    static func environmentReference(in text: [UInt8], match: TokenPattern.Match) -> (Range<Int>, String)? {
        let quotes: Set<UInt8> = [UInt8(ascii: "\""), UInt8(ascii: "'")]
        if match.start > 0, match.end < text.count, text[match.start - 1] == text[match.end], quotes.contains(text[match.end]) {
            return ((match.start - 1)..<(match.end + 1), "os.environ[\"HF_TOKEN\"]")
        }
        let lineStart = text[..<match.start].lastIndex(of: 0x0A).map { $0 + 1 } ?? 0
        let firstByte = text[lineStart...].first { $0 != 0x20 && $0 != 0x09 }
        if firstByte == UInt8(ascii: "!") || firstByte == UInt8(ascii: "%") { return (match.start..<match.end, "$HF_TOKEN") }
        let quotesBefore = text[lineStart..<match.start].filter { quotes.contains($0) }.count
        return quotesBefore % 2 == 0 ? (match.start..<match.end, "os.environ[\"HF_TOKEN\"]") : nil
    }

    /// `text` as a JSON string literal: `"`, `\` and control characters escaped, the rest kept as UTF-8.
    static func jsonString(_ text: [UInt8]) -> [UInt8] {
        var output: [UInt8] = [0x22]
        output.reserveCapacity(text.count + 2)
        for byte in text {
            switch byte {
            case 0x22: output += [0x5C, 0x22]
            case 0x5C: output += [0x5C, 0x5C]
            case 0x0A: output += [0x5C, 0x6E]
            case 0x0D: output += [0x5C, 0x72]
            case 0x09: output += [0x5C, 0x74]
            case 0x08: output += [0x5C, 0x62]
            case 0x0C: output += [0x5C, 0x66]
            case 0..<0x20: output += Array(String(format: "\\u%04x", byte).utf8)
            default: output.append(byte)
            }
        }
        output.append(0x22)
        return output
    }

    /// Copies the original to `backupFolder` under a name that says where it came from; 0600 in a 0700 folder.
    private func backUp(_ path: String, data: Data) throws -> String {
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        let name = absolute.dropFirst().replacingOccurrences(of: "/", with: "__")
        var backup = backupFolder + "/" + name
        var copy = 1
        while FileSystem.linkStatus(of: backup) != nil {  // never overwrite an earlier backup
            backup = backupFolder + "/" + (name as NSString).deletingPathExtension + ".\(copy).ipynb"
            copy += 1
        }
        do {
            try SecretFile.write(String(decoding: data, as: UTF8.self), to: backup)
        } catch {
            throw TokenScanError.fixFailed(path: path, detail: "the backup \(backup) could not be written: \(error)")
        }
        return backup
    }
}
