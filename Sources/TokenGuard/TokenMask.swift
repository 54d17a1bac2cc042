/// How a token is shown: `hf_****wxyz`, as `hf auth list` shows it.
public enum TokenMask {
    /// `token[:3] + "****" + token[-4:]` (by Unicode scalars), as `hf auth list` masks.
    public static func short(_ token: String) -> String {
        let scalars = Array(token.unicodeScalars)
        return String(String.UnicodeScalarView(scalars.prefix(3))) + "****" + String(String.UnicodeScalarView(scalars.suffix(4)))
    }

    /// The mask put in place of a secret in text: `hf_****wxyz`, or `****` for a secret too short to show any
    /// part of (fewer than 12 characters).
    public static func inText(_ token: String) -> String {
        token.unicodeScalars.count >= 12 ? short(token) : "****"
    }

    /// The mask of a secret of which only the beginning is known yet (a stream piece that stopped inside it):
    /// its first three characters and `****`.
    public static func beginning(_ partial: String) -> String {
        String(String.UnicodeScalarView(partial.unicodeScalars.prefix(3))) + "****"
    }
}
