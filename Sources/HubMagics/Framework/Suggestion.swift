/// "Did you mean …?" hints from edit distance.
public enum Suggestion {
    /// The candidate closest to `word`, if close enough to be a likely typo.
    public static func closest(to word: String, in candidates: [String]) -> String? {
        let scored = candidates.map { ($0, distance(word.lowercased(), $0.lowercased())) }
        guard let best = scored.min(by: { $0.1 < $1.1 }) else { return nil }
        let limit = max(2, word.count / 3)
        if best.1 <= limit || best.0.hasPrefix(word) || word.hasPrefix(best.0) { return best.0 }
        return nil
    }

    /// `" (did you mean --revision?)"`, or an empty string.
    public static func didYouMean(_ word: String, in candidates: [String], prefix: String = "") -> String {
        closest(to: word, in: candidates).map { " (did you mean \(prefix)\($0)?)" } ?? ""
    }

    /// Levenshtein distance.
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...max(b.count, 1) where j <= b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
