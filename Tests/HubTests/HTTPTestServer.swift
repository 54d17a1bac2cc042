import Foundation

/// A tiny HTTP/1.1 server on 127.0.0.1 (Python's `http.server`, started per test case)
/// with routes that misbehave on purpose. Stopped by `stop()` or when released.
///
/// Routes: `/echo` (method, headers, body as JSON), `/status/N`, `/redirect` (302 to `/echo`),
/// `/bytes/N` (N bytes `i % 251`, honours `Range`, 206), `/stall` (headers, then silence),
/// `/slow/N` (N bytes, 1 KiB every 50 ms), `/drop/N/M` (announces N bytes, sends M, closes),
/// `/ignore-range/N` (N bytes, always 200).
final class HTTPTestServer {
    let process = Process()
    let port: Int
    var base: String { "http://127.0.0.1:\(port)" }

    static let script = #"""
import http.server, json, sys, time, socketserver
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a): pass
    def body_of(self, n): return bytes(i % 251 for i in range(n))
    def send_bytes(self, data, status=200, extra=()):
        self.send_response(status)
        self.send_header("Content-Length", str(len(data)))
        for k, v in extra: self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD": self.wfile.write(data)
    def handle_any(self):
        p = self.path.split("/")[1:]
        n = int(self.headers.get("Content-Length") or 0)
        req = self.rfile.read(n) if n else b""
        if p[0] == "echo":
            self.send_bytes(json.dumps({"method": self.command, "path": self.path, "headers": dict(self.headers.items()),
                                        "body": req.decode()}).encode(), extra=[("X-Multi", "a"), ("x-multi", "b")])
        elif p[0] == "status":
            self.send_bytes(("status " + p[1]).encode(), int(p[1]), [("X-Error-Code", "Test")])
        elif p[0] == "redirect":
            self.send_bytes(b"", 302, [("Location", "/echo")])
        elif p[0] == "bytes":
            data = self.body_of(int(p[1]))
            r = self.headers.get("Range")
            if r and r.startswith("bytes="):
                a, b = r[6:].split("-")
                a = int(a); b = int(b) if b else len(data) - 1
                self.send_bytes(data[a:b + 1], 206, [("Content-Range", "bytes %d-%d/%d" % (a, b, len(data)))])
            else:
                self.send_bytes(data)
        elif p[0] == "ignore-range":
            self.send_bytes(self.body_of(int(p[1])))
        elif p[0] == "stall":
            self.send_response(200); self.send_header("Content-Length", "10"); self.end_headers(); self.wfile.flush()
            time.sleep(30)
        elif p[0] == "slow":
            data = self.body_of(int(p[1]))
            self.send_response(200); self.send_header("Content-Length", str(len(data))); self.end_headers()
            for i in range(0, len(data), 1024):
                self.wfile.write(data[i:i + 1024]); self.wfile.flush(); time.sleep(0.05)
        elif p[0] == "drop":
            data = self.body_of(int(p[1]))
            self.send_response(200); self.send_header("Content-Length", str(len(data))); self.end_headers()
            self.wfile.write(data[:int(p[2])]); self.wfile.flush()
            self.close_connection = True
        else:
            self.send_bytes(b"no route", 404)
    do_GET = do_HEAD = do_POST = do_PUT = do_DELETE = handle_any
class S(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
s = S(("127.0.0.1", 0), H)
print(s.server_address[1], flush=True)
s.serve_forever()
"""#

    init() throws {
        let stdout = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-u", "-c", Self.script]
        process.standardOutput = stdout
        try process.run()
        var line = Data()
        while let byte = try stdout.fileHandleForReading.read(upToCount: 1), !byte.isEmpty, byte != Data("\n".utf8) {
            line.append(byte)
        }
        guard let port = Int(String(decoding: line, as: UTF8.self)) else {
            process.terminate()
            throw HTTPTransportTestFailure("test server did not start")
        }
        self.port = port
    }

    func stop() {
        if process.isRunning { process.terminate(); process.waitUntilExit() }
    }

    deinit { stop() }

    /// The bytes `/bytes/N` serves.
    static func body(_ count: Int) -> Data { Data((0..<count).map { UInt8($0 % 251) }) }
}

struct HTTPTransportTestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
