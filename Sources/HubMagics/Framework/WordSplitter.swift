/// Splits a magic line into words the way a POSIX shell does (what `shlex.split` does):
/// whitespace separates words, `'…'` is literal, `"…"` allows `\"` and `\\`, and a
/// backslash outside quotes escapes the next character.
public enum WordSplitter {
    /// A quote was opened and never closed.
    public struct UnterminatedQuote: Error, Equatable { public let quote: Character }

    public static func split(_ line: String) throws -> [String] {
        try splitKeepingTrailingSpace(line).words
    }

    /// The words, and whether the line ends between words (after whitespace), which
    /// completion needs to know whether the cursor starts a new word.
    public static func splitKeepingTrailingSpace(_ line: String) throws -> (words: [String], endsBetweenWords: Bool) {
        var words: [String] = []
        var current = ""
        var inWord = false
        var quote: Character?
        var escaping = false

        for char in line {
            if escaping {
                current.append(char); escaping = false; inWord = true
                continue
            }
            switch (quote, char) {
            case (nil, "\\"), ("\"", "\\"):
                escaping = true
            case (nil, "'"), (nil, "\""):
                quote = char; inWord = true
            case (let open?, _) where char == open:
                quote = nil
            case (nil, _) where char.isWhitespace:
                if inWord { words.append(current); current = ""; inWord = false }
            default:
                current.append(char); inWord = true
            }
        }
        if let quote { throw UnterminatedQuote(quote: quote) }
        if escaping { current.append("\\"); inWord = true }
        if inWord { words.append(current) }
        return (words, !inWord)
    }
}
