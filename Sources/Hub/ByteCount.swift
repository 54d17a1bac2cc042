import Foundation

/// Human-readable byte counts (`1.5 GB`), in decimal units like `huggingface_hub`'s progress bars: the one
/// size style of everything HubKernel shows (tables, progress, results, doctor, token scan). Only JSON fields
/// that mirror `hf cache ls --format json` keep its `CacheFormat.size` style.
public enum ByteCount {
    public static func format(_ bytes: Int64) -> String {
        let units = ["B", "kB", "MB", "GB", "TB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1000, unit < units.count - 1 { value /= 1000; unit += 1 }
        return unit == 0 ? "\(bytes) B" : String(format: "%.1f %@", value, units[unit])
    }
}
