#if canImport(Glibc)
import Glibc
#endif
import TokenGuard

// `libhubguard.so`: the token guard for processes that are not HubKernel (the IPython extension loads it with
// ctypes). The same masking and stream holding as the kernel's relay, behind a C interface; every function is safe
// to call from any thread. Text in and out is UTF-8 with a length; a returned buffer is freed with
// `hubguard_free_buffer`.

/// One guard: the process's secrets (kept current) and the state of the streams it holds text of.
final class Guard {
    let secrets = ProcessSecrets()
    var streams = StreamGuard()
    var lock = pthread_mutex_t()

    init() { pthread_mutex_init(&lock, nil) }
    deinit { pthread_mutex_destroy(&lock) }

    func withStreams<T>(_ body: (inout StreamGuard) -> T) -> T {
        pthread_mutex_lock(&lock)
        defer { pthread_mutex_unlock(&lock) }
        return body(&streams)
    }
}

private func guardObject(_ pointer: UnsafeMutableRawPointer) -> Guard {
    Unmanaged<Guard>.fromOpaque(pointer).takeUnretainedValue()
}

private func buffer(_ bytes: UnsafePointer<CChar>?, _ length: Int) -> UnsafeBufferPointer<UInt8> {
    guard let bytes, length > 0 else { return UnsafeBufferPointer(start: nil, count: 0) }
    return UnsafeBufferPointer(start: UnsafeRawPointer(bytes).assumingMemoryBound(to: UInt8.self), count: length)
}

/// Copies `bytes` into a new malloc'd buffer for the caller.
private func give(_ bytes: [UInt8], _ out: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
                  _ outLength: UnsafeMutablePointer<Int>?) {
    let copy = malloc(max(1, bytes.count))!.assumingMemoryBound(to: CChar.self)
    bytes.withUnsafeBytes { if let base = $0.baseAddress { memcpy(copy, base, bytes.count) } }
    out?.pointee = copy
    outLength?.pointee = bytes.count
}

private func text(_ bytes: UnsafePointer<CChar>?, _ length: Int) -> String {
    guard let bytes, length > 0 else { return "" }
    return bytes.withMemoryRebound(to: UInt8.self, capacity: length) {
        String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self)
    }
}

/// Copies `string` into a new malloc'd buffer for the caller.
private func give(_ string: String, _ out: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
                  _ outLength: UnsafeMutablePointer<Int>?) {
    var string = string
    string.withUTF8 { bytes in
        let buffer = malloc(max(1, bytes.count))!.assumingMemoryBound(to: CChar.self)
        if let base = bytes.baseAddress { memcpy(buffer, base, bytes.count) }
        out?.pointee = buffer
        outLength?.pointee = bytes.count
    }
}

/// A new guard.
@_cdecl("hubguard_new")
public func hubguardNew() -> UnsafeMutableRawPointer {
    Unmanaged.passRetained(Guard()).toOpaque()
}

/// Frees a guard.
@_cdecl("hubguard_release_guard")
public func hubguardReleaseGuard(_ pointer: UnsafeMutableRawPointer) {
    Unmanaged<Guard>.fromOpaque(pointer).release()
}

/// Frees a buffer the library returned.
@_cdecl("hubguard_free_buffer")
public func hubguardFreeBuffer(_ buffer: UnsafeMutablePointer<CChar>?) {
    free(buffer)
}

/// Masks every secret in `text`: 1 and a new buffer when something was masked, 0 (no buffer, nothing copied) when
/// nothing was.
@_cdecl("hubguard_mask")
public func hubguardMask(_ pointer: UnsafeMutableRawPointer, _ bytes: UnsafePointer<CChar>?, _ length: Int,
                         _ out: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?, _ outLength: UnsafeMutablePointer<Int>?) -> Int32 {
    guard let masked = guardObject(pointer).secrets.current().mask(utf8: buffer(bytes, length)) else { return 0 }
    give(masked, out, outLength)
    return 1
}

/// A new piece of stream `name` of request `parent`: 0 when it is to be shown exactly as it is (no buffer: the common
/// case costs no copy), 1 and a buffer with the text to show now (possibly empty: all held).
@_cdecl("hubguard_stream")
public func hubguardStream(_ pointer: UnsafeMutableRawPointer, _ parent: UnsafePointer<CChar>, _ name: UnsafePointer<CChar>,
                           _ bytes: UnsafePointer<CChar>?, _ length: Int, _ now: Double,
                           _ out: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?, _ outLength: UnsafeMutablePointer<Int>?) -> Int32 {
    let object = guardObject(pointer)
    let masker = object.secrets.current()
    let key = StreamGuard.Key(parent: String(cString: parent), name: String(cString: name))
    guard let shown = object.withStreams({ $0.admit(utf8: buffer(bytes, length), key: key, now: now, masker: masker) }) else {
        return 0
    }
    give(shown, out, outLength)
    return 1
}

/// Held text of `parent`'s streams (every stream's when `parent` is NULL) to show now; or, with `parent` NULL and
/// `now` ≥ 0, the held text whose quiet time is over. Returned as lines `parent \t name \t text-length \n text`.
@_cdecl("hubguard_release")
public func hubguardRelease(_ pointer: UnsafeMutableRawPointer, _ parent: UnsafePointer<CChar>?, _ now: Double,
                            _ out: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?, _ outLength: UnsafeMutablePointer<Int>?) -> Int32 {
    let object = guardObject(pointer)
    let masker = object.secrets.current()
    let held = object.withStreams { streams -> [(key: StreamGuard.Key, text: String)] in
        if let parent { return streams.release(parent: String(cString: parent), masker: masker) }
        return now >= 0 ? streams.expire(now: now, masker: masker) : streams.release(parent: nil, masker: masker)
    }
    guard !held.isEmpty else { return 0 }
    give(held.map { "\($0.key.parent)\t\($0.key.name)\t\($0.text.utf8.count)\n\($0.text)" }.joined(), out, outLength)
    return Int32(held.count)
}

/// When held text is next due (the `now` clock of `hubguard_stream`), or -1 when nothing is held.
@_cdecl("hubguard_next_deadline")
public func hubguardNextDeadline(_ pointer: UnsafeMutableRawPointer) -> Double {
    guardObject(pointer).withStreams { $0.nextDeadline } ?? -1
}

/// Masks `secret` from now on.
@_cdecl("hubguard_remember")
public func hubguardRemember(_ pointer: UnsafeMutableRawPointer, _ bytes: UnsafePointer<CChar>?, _ length: Int) {
    guardObject(pointer).secrets.remember(text(bytes, length))
}

/// How many secrets the guard knows now (for diagnostics and tests; never the secrets themselves).
@_cdecl("hubguard_known_count")
public func hubguardKnownCount(_ pointer: UnsafeMutableRawPointer) -> Int {
    guardObject(pointer).secrets.current().known.count
}
