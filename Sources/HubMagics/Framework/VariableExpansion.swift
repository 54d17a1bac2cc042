/// Expands `$NAME` and `${NAME}` in a magic line with the session's `%set` variables, as IPython
/// expands `$name` in line magics. `$$` is a literal `$`. Environment variables are never expanded
/// (they may hold tokens).
public enum VariableExpansion {
    public static func expand(_ text: String, variables: [String: String]) throws -> String {
        guard text.contains("$") else { return text }
        var result = ""
        var rest = Substring(text)
        while let dollar = rest.firstIndex(of: "$") {
            result += rest[..<dollar]
            rest = rest[rest.index(after: dollar)...]
            if rest.first == "$" { result += "$"; rest = rest.dropFirst(); continue }
            let braced = rest.first == "{"
            if braced { rest = rest.dropFirst() }
            let name = rest.prefix { $0.isLetter || $0.isNumber || $0 == "_" }
            rest = rest.dropFirst(name.count)
            if braced {
                guard rest.first == "}" else { throw MagicError.usage("'${' is never closed with '}' (write $$ for a literal $).") }
                rest = rest.dropFirst()
            }
            guard !name.isEmpty else { result += braced ? "${}" : "$"; continue }
            guard let value = variables[String(name)] else {
                let hint = Suggestion.didYouMean(String(name), in: Array(variables.keys), prefix: "$")
                throw MagicError.usage("$\(name) is not set\(hint). Set it with %set \(name) VALUE, or write $$ for a literal $.")
            }
            result += value
        }
        return result + rest
    }
}
