extension JSONValue {
    /// The string, or nil for any other kind of value.
    public var stringValue: String? { if case .string(let value) = self { return value } else { return nil } }
    /// The number, or nil for any other kind of value.
    public var numberValue: Double? { if case .number(let value) = self { return value } else { return nil } }
    /// The number as an integer when it is a finite whole number in `Int`'s range.
    public var intValue: Int? {
        guard let number = numberValue, number.isFinite, number == number.rounded(), abs(number) < 9.2e18 else { return nil }
        return Int(number)
    }
    /// The Boolean, or nil for any other kind of value.
    public var boolValue: Bool? { if case .bool(let value) = self { return value } else { return nil } }
    /// The object's members, or nil for any other kind of value.
    public var objectValue: [String: JSONValue]? { if case .object(let value) = self { return value } else { return nil } }
    /// The array's elements, or nil for any other kind of value.
    public var arrayValue: [JSONValue]? { if case .array(let value) = self { return value } else { return nil } }

    /// The member `key` of an object (nil when absent or not an object).
    public subscript(key: String) -> JSONValue? { objectValue?[key] }

    /// This value with `transform` applied to every string (object keys excepted).
    public func mappingStrings(_ transform: (String) -> String) -> JSONValue {
        switch self {
        case .string(let value): return .string(transform(value))
        case .array(let values): return .array(values.map { $0.mappingStrings(transform) })
        case .object(let object): return .object(object.mapValues { $0.mappingStrings(transform) })
        case .null, .bool, .number: return self
        }
    }

    /// This value with `transform` applied to every string **and every object key**, except the string values of
    /// members named in `keptValues` (identifiers such as `comm_id`): used for redaction. Two keys that become equal
    /// are both kept, the later one with ` (2)` (then ` (3)` …) appended, so no member is lost.
    public func mappingStringsAndKeys(_ transform: (String) -> String, keepingValuesOf keptValues: Set<String> = []) -> JSONValue {
        switch self {
        case .string(let value): return .string(transform(value))
        case .array(let values): return .array(values.map { $0.mappingStringsAndKeys(transform, keepingValuesOf: keptValues) })
        case .object(let object):
            var result: [String: JSONValue] = [:]
            result.reserveCapacity(object.count)
            for key in object.keys.sorted() {
                let value = object[key]!
                let mapped: JSONValue
                if keptValues.contains(key), case .string = value {
                    mapped = value
                } else {
                    mapped = value.mappingStringsAndKeys(transform, keepingValuesOf: keptValues)
                }
                var newKey = transform(key)
                if result[newKey] != nil {
                    var suffix = 2
                    while result["\(newKey) (\(suffix))"] != nil { suffix += 1 }
                    newKey = "\(newKey) (\(suffix))"
                }
                result[newKey] = mapped
            }
            return .object(result)
        case .null, .bool, .number: return self
        }
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .number(Double(value)) }
    public init(floatLiteral value: Double) { self = .number(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
    public init(nilLiteral: ()) { self = .null }
}

extension JSONValue {
    /// The JSON type's name, for messages about a value of the wrong type: `"number"`, `"object"` …
    public var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .number: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }
}
