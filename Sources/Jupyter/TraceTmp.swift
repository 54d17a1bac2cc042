import Foundation
let traceOn = ProcessInfo.processInfo.environment["HK_TRACE"] != nil
@inline(__always) func trace(_ label: StaticString) {
    guard traceOn else { return }
    var ts = timespec(); clock_gettime(CLOCK_MONOTONIC, &ts)
    let ns = Int(ts.tv_sec) * 1_000_000_000 + Int(ts.tv_nsec)
    fputs("TR \(label) \(ns)\n", stderr)
}
