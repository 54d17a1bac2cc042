/// Token strings as `huggingface_hub` treats them: cleaning (`_clean_token`) and masking
/// (`hf auth list`'s `hf_****abcd`).
///
/// ```swift
/// TokenText.clean("  hf_abc\r\n")   // "hf_abc"
/// TokenText.clean(" \n ")           // nil: blank means "no token"
/// TokenText.mask("hf_abcdefghijklmnop")  // "hf_****mnop"
/// ```
public enum TokenText {
    /// Python's `_clean_token`: every CR and LF removed (anywhere), then leading and trailing
    /// whitespace stripped as `str.strip()` does; an empty result is `nil`.
    public static func clean(_ token: String?) -> String? {
        guard let token else { return nil }
        var scalars = String.UnicodeScalarView(token.unicodeScalars.filter { $0 != "\r" && $0 != "\n" })
        while let first = scalars.first, isPythonWhitespace(first) { scalars.removeFirst() }
        while let last = scalars.last, isPythonWhitespace(last) { scalars.removeLast() }
        return scalars.isEmpty ? nil : String(scalars)
    }

    /// `hf auth list`'s mask: the first 3 characters, `****`, the last 4 (`token[:3]****token[-4:]`).
    public static func mask(_ token: String) -> String { TokenMask.short(token) }

    /// Whether Python's `str.isspace()` is true for this character (what `str.strip()` removes).
    public static func isPythonWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09...0x0D, 0x1C...0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000:
            return true
        default:
            return false
        }
    }
}
