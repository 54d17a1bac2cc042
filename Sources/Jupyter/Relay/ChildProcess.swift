import CProcess
import Foundation

/// A started child process in its own process group: its output read line by line, its exit observed.
final class ChildProcess: @unchecked Sendable {
    let pid: pid_t
    private let lock = NSLock()
    private var exitStatus: Int32?
    private let exited = DispatchSemaphore(value: 0)

    /// How the child ended, in words a user can act on (`killed by SIGKILL (probably out of memory)`, `exited with status 1`).
    static func describe(status: Int32) -> String {
        if status & 0x7F == 0 { return "exited with status \((status >> 8) & 0xFF)" }
        let signal = status & 0x7F
        let name = signalName(signal)
        return signal == SIGKILL ? "was killed by \(name) (probably out of memory)" : "was killed by \(name)"
    }

    static func signalName(_ signal: Int32) -> String {
        let names: [Int32: String] = [SIGKILL: "SIGKILL", SIGSEGV: "SIGSEGV", SIGABRT: "SIGABRT", SIGTERM: "SIGTERM",
                                      SIGINT: "SIGINT", SIGBUS: "SIGBUS", SIGFPE: "SIGFPE", SIGILL: "SIGILL", SIGHUP: "SIGHUP"]
        return names[signal] ?? "signal \(signal)"
    }

    /// Starts `arguments` with exactly `environment`. Every line the child writes to stdout or stderr goes to
    /// `onOutput`; `onExit` gets the wait status once the child has ended. Call from a thread that lives as
    /// long as the process (the child gets SIGKILL when that thread ends).
    init(arguments: [String], environment: [String: String], onOutput: @escaping @Sendable (String) -> Void,
         onExit: @escaping @Sendable (Int32) -> Void) throws {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw ChildProcessError.spawnFailed(String(cString: strerror(errno))) }
        let (readEnd, writeEnd) = (fds[0], fds[1])
        _ = fcntl(readEnd, F_SETFD, FD_CLOEXEC)
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        let result = argv.withUnsafeBufferPointer { argvBuffer in
            envp.withUnsafeBufferPointer { envBuffer in
                hk_spawn(argvBuffer.baseAddress, envBuffer.baseAddress, writeEnd, writeEnd)
            }
        }
        close(writeEnd)
        guard result > 0 else {
            close(readEnd)
            throw ChildProcessError.spawnFailed(String(cString: strerror(-result)))
        }
        pid = result
        let outputEnded = DispatchSemaphore(value: 0)
        let reader = Thread {
            ChildProcess.readLines(from: readEnd, onOutput)
            close(readEnd)
            outputEnded.signal()
        }
        reader.name = "hubkernel-python-output"
        reader.start()
        let waiter = Thread { [self] in
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            // Its last lines before its end (why it could not start): read to the pipe's end first, unless a process
            // it left behind keeps the pipe open.
            _ = outputEnded.wait(timeout: .now() + 1)
            lock.withLock { exitStatus = status }
            exited.signal()
            onExit(status)
        }
        waiter.name = "hubkernel-python-wait"
        waiter.start()
    }

    /// The wait status once the child has ended, else nil.
    var status: Int32? { lock.withLock { exitStatus } }

    /// Waits up to `seconds` for the child to end; true when it has.
    func waitForExit(seconds: Double) -> Bool {
        if status != nil { return true }
        guard exited.wait(timeout: .now() + seconds) == .success else { return false }
        exited.signal()
        return true
    }

    /// Sends `signal` to the child's whole process group (its subprocesses too), as jupyter_client does.
    func signalGroup(_ signal: Int32) {
        if killpg(pid, signal) != 0 && status == nil { kill(pid, signal) }
    }

    /// Ends the child for good: SIGTERM to the group, then SIGKILL after `grace` seconds.
    func terminate(grace: Double = 1) {
        guard status == nil else {
            killpg(pid, SIGKILL)  // subprocesses left in the group
            return
        }
        signalGroup(SIGTERM)
        if !waitForExit(seconds: grace) { signalGroup(SIGKILL) }
        _ = waitForExit(seconds: 5)
        killpg(pid, SIGKILL)
    }

    private static func readLines(from fd: Int32, _ onOutput: (String) -> Void) {
        var pending: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 8192)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }
            pending += buffer[0..<count]
            while let newline = pending.firstIndex(of: 0x0A) {
                onOutput(String(decoding: pending[..<newline], as: UTF8.self))
                pending.removeSubrange(...newline)
            }
        }
        if !pending.isEmpty { onOutput(String(decoding: pending, as: UTF8.self)) }
    }
}

enum ChildProcessError: Error, CustomStringConvertible {
    case spawnFailed(String)

    var description: String {
        switch self {
        case .spawnFailed(let reason): return "could not start the process: \(reason)"
        }
    }
}
