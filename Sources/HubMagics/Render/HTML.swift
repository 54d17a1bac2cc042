/// Small helpers for the HTML that magics show in notebooks.
public enum HTML {
    /// Escapes text for use in element content and attribute values.
    public static func escape(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.count)
        for char in text {
            switch char {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            default: result.append(char)
            }
        }
        return result
    }

    /// A link that opens in a new tab.
    public static func link(_ url: String, _ text: String? = nil) -> String {
        "<a href=\"\(escape(url))\" target=\"_blank\" rel=\"noopener\">\(escape(text ?? url))</a>"
    }
}
