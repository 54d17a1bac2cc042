import Foundation
import JSONCore

/// One safetensors file's header, summarised: parameters per dtype, tensor count and the bytes its tensors take.
/// The format is an 8-byte little-endian header length, then that many bytes of JSON
/// (`{name: {dtype, shape, data_offsets}}` plus an optional `__metadata__`), then the data.
public struct SafetensorsHeader: Sendable, Equatable, Codable {
    /// `SAFETENSORS_MAX_HEADER_LENGTH` of huggingface_hub: larger headers are refused.
    public static let maxHeaderLength: UInt64 = 25_000_000

    /// Parameters per dtype (the product of each tensor's shape), as `SafetensorsFileMetadata.parameter_count`.
    public var parameters: [String: Int64]
    public var tensorCount: Int
    /// Bytes of tensor data (the sum of each tensor's `data_offsets` span): what loading it takes.
    public var dataBytes: Int64
    /// The header's length in bytes (without the 8-byte prefix); nil when it came parsed in the Hub's
    /// `safetensors-metadata` answer, which does not tell it.
    public var headerLength: Int64?

    public var parameterTotal: Int64 { parameters.values.reduce(0, +) }

    /// The header length from the file's first 8 bytes, checked against `maxHeaderLength`.
    public static func headerLength(prefix: Data, file: String) throws -> Int64 {
        guard prefix.count >= 8 else { throw SafetensorsError(file: file, reason: "the file is too small to be a safetensors file") }
        let length = prefix.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        guard length <= maxHeaderLength else {
            let announced = length > UInt64(Int64.max) ? "more than 9 EB" : ByteCount.format(Int64(length))
            throw SafetensorsError(file: file, reason: "its first 8 bytes announce a header of \(announced), and safetensors "
                                   + "headers are at most \(ByteCount.format(Int64(maxHeaderLength)))")
        }
        return Int64(length)
    }

    /// Parses the JSON header (the bytes after the 8-byte prefix).
    public init(json: Data, file: String) throws {
        guard let value = try? JSONValue.parse([UInt8](json)) else {
            throw SafetensorsError(file: file, reason: "its header is not JSON")
        }
        try self.init(value, file: file, headerLength: Int64(json.count))
    }

    /// Summarises a parsed header (`JSONCore`'s parser: Foundation's `JSONSerialization`, with its `NSNumber`
    /// casts, took most of a cold `%info`'s CPU on Linux).
    init(_ value: JSONValue, file: String, headerLength: Int64?) throws {
        guard let object = value.objectValue else { throw SafetensorsError(file: file, reason: "its header is not a JSON object") }
        var parameters: [String: Int64] = [:]
        var count = 0, bytes: Int64 = 0
        for (name, tensor) in object where name != "__metadata__" {
            guard let dtype = tensor["dtype"]?.stringValue, let shape = tensor["shape"]?.arrayValue?.compactMap(\.intValue),
                  shape.count == tensor["shape"]?.arrayValue?.count, let offsets = tensor["data_offsets"]?.arrayValue?.compactMap(\.intValue),
                  offsets.count == 2 else {
                throw SafetensorsError(file: file, reason: "tensor '\(name)' lacks dtype, shape or data_offsets")
            }
            parameters[dtype, default: 0] += shape.reduce(Int64(1)) { $0 * Int64($1) }
            bytes += Int64(offsets[1] - offsets[0])
            count += 1
        }
        self.init(parameters: parameters, tensorCount: count, dataBytes: bytes, headerLength: headerLength)
    }

    public init(parameters: [String: Int64], tensorCount: Int, dataBytes: Int64, headerLength: Int64?) {
        self.parameters = parameters
        self.tensorCount = tensorCount
        self.dataBytes = dataBytes
        self.headerLength = headerLength
    }

    /// Reads the header of a local file (a cached snapshot file), without reading its data.
    public static func read(localFile path: String, file: String) throws -> SafetensorsHeader {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw SafetensorsError(file: file, reason: "it cannot be opened") }
        defer { try? handle.close() }
        let length = try headerLength(prefix: (try? handle.read(upToCount: 8)) ?? Data(), file: file)
        let json = (try? handle.read(upToCount: Int(length))) ?? Data()
        guard json.count == Int(length) else { throw SafetensorsError(file: file, reason: "the file ends inside its header") }
        return try SafetensorsHeader(json: json, file: file)
    }
}

/// A safetensors header that could not be read (`SafetensorsParsingError` in huggingface_hub).
public struct SafetensorsError: UserFacingError, Equatable {
    public let file: String
    public let reason: String
    public var name: String { "SafetensorsParsingError" }
    public var message: String { "Could not read the safetensors header of '\(file)': \(reason). The file may be corrupt or not safetensors." }
}
