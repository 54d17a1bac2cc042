import Foundation

/// Human-readable sizes and ages, as `huggingface_hub` prints them.
public enum CacheFormat {
    /// `_format_size`: decimal units, one decimal (`"1.2K"`, `"3.4G"`, `"512.0"`).
    public static func size(_ bytes: Int64) -> String {
        var value = Double(bytes)
        for unit in ["", "K", "M", "G", "T", "P", "E", "Z"] {
            if abs(value) < 1000 { return String(format: "%3.1f", value) + unit }
            value /= 1000
        }
        return String(format: "%.1f", value) + "Y"
    }

    /// `format_timesince`: "a few seconds ago", "3 days ago", "1 year ago".
    public static func timeSince(_ timestamp: Double, now: Double = Date().timeIntervalSince1970) -> String {
        let delta = now - timestamp
        if delta < 20 { return "a few seconds ago" }
        let chunks: [(String, Double, Double?)] = [
            ("second", 1, 59), ("minute", 60, 59), ("hour", 3600, 23), ("day", 86_400, 6),
            ("week", 604_800, 6), ("month", 2_592_000, 11), ("year", 31_536_000, nil),
        ]
        var value = 0.0
        var label = ""
        for (name, divider, maximum) in chunks {
            value = (delta / divider).rounded(.toNearestOrEven)
            label = name
            if let maximum, value <= maximum { break }
        }
        return "\(Int(value)) \(label)\(value > 1 ? "s" : "") ago"
    }

    /// `parse_size` (`"10MB"`, `"1gb"`; a bare number is bytes; decimal units).
    public static func parseSize(_ text: String) -> Int64? { parse(text, units: sizeUnits) }

    /// `parse_duration` (`"7d"`, `"2h"`, a bare number is seconds).
    public static func parseDuration(_ text: String) -> Int64? { parse(text, units: timeUnits) }

    static let sizeUnits: [String: Int64] = [
        "k": 1_000, "kb": 1_000, "m": 1_000_000, "mb": 1_000_000, "g": 1_000_000_000, "gb": 1_000_000_000,
        "t": 1_000_000_000_000, "tb": 1_000_000_000_000, "p": 1_000_000_000_000_000, "pb": 1_000_000_000_000_000,
    ]
    static let timeUnits: [String: Int64] = [
        "s": 1, "m": 60, "h": 3600, "d": 86_400, "w": 604_800, "mo": 2_592_000, "y": 31_536_000,
    ]

    private static func parse(_ text: String, units: [String: Int64]) -> Int64? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let number = Int64(trimmed) { return number }
        let digits = trimmed.prefix { $0.isASCII && $0.isNumber }
        let unit = trimmed.dropFirst(digits.count).lowercased()
        guard let number = Int64(digits), !unit.isEmpty, unit.allSatisfy({ $0.isLetter }), let factor = units[unit] else { return nil }
        return number * factor
    }
}
