import Foundation
import Jupyter

/// Compact JSON text for a `JSONValue` (sorted keys, whole numbers without a fraction), so
/// `--json` output is the same in a terminal (text) and in a notebook (`application/json`).
/// (The kernel branch brings `JSONValue.jsonText`; switch to it once it is on main.)
enum JSONText {
    static func render(_ value: JSONValue) -> String {
        let object = foundationObject(value)
        guard JSONSerialization.isValidJSONObject(object),
              let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]) else {
            return "null"
        }
        return String(decoding: data, as: UTF8.self)
    }

    private static func foundationObject(_ value: JSONValue) -> Any {
        switch value {
        case .null: return NSNull()
        case .bool(let flag): return flag
        case .number(let number):
            if number.rounded() == number, abs(number) < 9e15 { return Int64(number) }
            return number
        case .string(let text): return text
        case .array(let values): return values.map(foundationObject)
        case .object(let object): return object.mapValues(foundationObject)
        }
    }
}
