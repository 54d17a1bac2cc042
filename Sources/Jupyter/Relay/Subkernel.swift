import Foundation

/// The kernel HubKernel hosts (Python's ipykernel): started in the background with the kernel, restarted
/// after it dies, and ended with it. The `Kernel` relays requests to it; handlers see its state through
/// `status` and use `evaluate` for their own quiet questions.
///
/// ```swift
/// let python = Subkernel(lookup: { try SubkernelSpec.find(environment: env) }, environment: { env })
/// let kernel = try Kernel(connection: info, handler: handler, redact: mask, subkernel: python)
/// ```
public final class Subkernel: @unchecked Sendable {
    /// Where the hosted kernel is in its life.
    public enum State: Sendable, Equatable {
        /// Not started yet (or shut down).
        case stopped
        case starting
        case ready
        /// It cannot run: why, and what to do.
        case unavailable(String)
        /// It ended on its own (`was killed by SIGKILL (probably out of memory)`); the next request starts a new one.
        case exited(String)
    }

    /// What `%python` shows.
    public struct Status: Sendable, Equatable {
        public var state: State
        public var spec: SubkernelSpec?
        public var pid: Int32?
        /// `language_info.version` from its `kernel_info_reply` (`3.11.7`), once it answered.
        public var languageVersion: String?
        /// `implementation` and its version (`ipython 9.4.0`), once it answered.
        public var implementation: String?
        /// How many times it was started in this kernel.
        public var starts: Int
        /// Seconds from start to ready, for the last start.
        public var startSeconds: Double?
    }

    private let lookup: @Sendable () throws -> SubkernelSpec
    private let environment: @Sendable () -> [String: String]
    private let lock = NSLock()
    private var run: SubkernelRun?
    private var spec: SubkernelSpec?
    private var unavailableReason: String?
    private var starts = 0
    private var readySeconds: Double?
    private var sinks: SubkernelRun.Sinks?

    /// - Parameters:
    ///   - lookup: which kernel to start (called at each start, so a kernelspec installed meanwhile is found).
    ///   - environment: the child's whole environment at each start (HubKernel's, with its changes).
    public init(lookup: @escaping @Sendable () throws -> SubkernelSpec, environment: @escaping @Sendable () -> [String: String]) {
        self.lookup = lookup
        self.environment = environment
    }

    /// Set by the `Kernel` before it starts the child: where its outputs go.
    func attach(_ sinks: SubkernelRun.Sinks) {
        lock.withLock { self.sinks = sinks }
    }

    /// The current state and what is known about the child.
    public var status: Status {
        lock.withLock {
            Status(state: stateLocked, spec: spec, pid: run.map { $0.process.pid }, languageVersion: run?.kernelInfo?["language_info"]?["version"]?.stringValue,
                   implementation: run?.kernelInfo.map { info in
                       [info["implementation"]?.stringValue, info["implementation_version"]?.stringValue].compactMap { $0 }.joined(separator: " ")
                   }, starts: starts, startSeconds: readySeconds)
        }
    }

    private var stateLocked: State {
        if let unavailableReason { return .unavailable(unavailableReason) }
        guard let run else { return .stopped }
        if let ended = run.exitDescription { return .exited(ended) }
        return run.isReady ? .ready : .starting
    }

    /// The child's `kernel_info_reply` content from its start, once it answered.
    var kernelInfo: [String: JSONValue]? {
        lock.withLock { run?.kernelInfo }
    }

    /// True unless it is known that the hosted kernel cannot run (then Python lines get an error, magics still run).
    public var isAvailable: Bool {
        if case .unavailable = status.state { return false }
        return true
    }

    /// Starts the child in the background unless one is running. Call from a thread that lives as long as the
    /// process (the shell thread): the child is killed when that thread ends.
    @discardableResult
    public func start() -> State {
        let sinks: SubkernelRun.Sinks? = lock.withLock {
            guard run == nil || run?.exitDescription != nil else { return nil }
            return self.sinks
        }
        guard let sinks else { return status.state }
        retire()
        let spec: SubkernelSpec
        do {
            spec = try lookup()
        } catch {
            lock.withLock { unavailableReason = "\(error)" }
            return status.state
        }
        do {
            sinks.log("starting Python: \(spec.argv.joined(separator: " "))")
            let started = try SubkernelRun(spec: spec, environment: environment(), sinks: sinks)
            lock.withLock {
                self.spec = spec
                run = started
                unavailableReason = nil
                starts += 1
                readySeconds = nil
            }
            watchReadiness(started)
        } catch {
            lock.withLock { unavailableReason = "\(spec.executable) cannot be started (\(error))" }
        }
        return status.state
    }

    /// Records how long the start took, and turns a child that ends before it is ready into `unavailable` with
    /// the reason it printed (no ipykernel in that Python, most often).
    private func watchReadiness(_ started: SubkernelRun) {
        let thread = Thread { [weak self] in
            let ready = started.waitUntilReady(timeout: 120)
            guard let self else { return }
            if ready {
                self.lock.withLock { if self.run === started { self.readySeconds = Date().timeIntervalSince(started.startedAt) } }
            } else if let ended = started.exitDescription {
                let reason = started.lastOutputLines.joined(separator: " ")
                self.lock.withLock {
                    guard self.run === started else { return }
                    self.unavailableReason = Self.explainFailedStart(spec: self.spec, ended: ended, output: reason)
                }
            }
        }
        thread.name = "hubkernel-python-start"
        thread.start()
    }

    static func explainFailedStart(spec: SubkernelSpec?, ended: String, output: String) -> String {
        let python = spec?.executable ?? "python3"
        if output.contains("No module named ipykernel") || output.contains("No module named 'ipykernel") {
            return "\(python) has no ipykernel: run `\(python) -m pip install ipykernel`, then %python restart"
        }
        if output.contains("exec failed") {
            return "\(python) was not found: install Python 3 with ipykernel, or set \(SubkernelSpec.selectionVariable) to a kernelspec name, then %python restart"
        }
        let said = output.isEmpty ? "" : " It said: \(output.suffix(300))"
        return "\(python) \(ended) before it was ready.\(said) Fix that, then %python restart"
    }

    /// The running child's relay, starting one first when needed; nil when none can run.
    func currentRun() -> SubkernelRun? {
        if let run = liveRun { return run }
        guard isAvailable else { return nil }
        start()
        return liveRun
    }

    /// The running child, without starting one.
    var liveRun: SubkernelRun? {
        lock.withLock { run.flatMap { $0.exitDescription == nil ? $0 : nil } }
    }

    /// Whether the last child ended on its own (its variables are gone), so the next start deserves a notice.
    var endedOnItsOwn: String? {
        lock.withLock { run?.exitDescription }
    }

    /// Interrupts what the child is running: SIGINT to its process group, or `interrupt_request` on control
    /// when its kernelspec says `interrupt_mode: message`.
    func interrupt() {
        guard let (run, spec) = lock.withLock({ self.run.flatMap { run in self.spec.map { (run, $0) } } }) else { return }
        if spec.interruptMode == "message" {
            run.send(Message(header: run.makeHeader("interrupt_request")), on: .control)
        } else {
            run.process.signalGroup(SIGINT)
        }
    }

    /// Shuts the child down (`shutdown_request`, then SIGTERM, then SIGKILL to its group) and starts a new one.
    public func restart() {
        shutdown()
        lock.withLock { unavailableReason = nil }
        start()
    }

    /// Ends the child and every process in its group; waits until it is gone. No orphan holds memory afterwards.
    public func shutdown() {
        guard let run = lock.withLock({ run }) else { return }
        if run.exitDescription == nil {
            run.send(Message(header: run.makeHeader("shutdown_request"), content: ["restart": false]), on: .control)
            if !run.process.waitForExit(seconds: 2) { run.process.terminate() }
        }
        run.process.terminate()
        run.close()
        lock.withLock { if self.run === run { self.run = nil } }
    }

    /// Closes the relay of a child that already ended.
    private func retire() {
        guard let ended = lock.withLock({ run }), ended.exitDescription != nil else { return }
        ended.process.terminate()
        ended.close()
    }
}

extension Subkernel {
    /// Runs `code` quietly in the running child — not in its history, nothing shown — and returns the reply's
    /// `user_expressions` (each `{"status": "ok", "data": {"text/plain": …}}`). Never starts a child: nil when
    /// none is running, it was not ready within `readyTimeout` seconds, or did not answer within `timeout`.
    public func evaluate(code: String = "", expressions: [String: String] = [:], readyTimeout: Double = 0,
                         timeout: Double = 10) -> [String: JSONValue]? {
        guard let run = lock.withLock({ run }), run.exitDescription == nil, run.waitUntilReady(timeout: readyTimeout) else { return nil }
        return Self.quietly(run, code: code, expressions: expressions, timeout: timeout)
    }

    /// The `user_expressions` of a silent `execute_request` on `run`, waiting for its reply and idle.
    static func quietly(_ run: SubkernelRun, code: String, expressions: [String: String], timeout: Double) -> [String: JSONValue]? {
        let header = run.makeHeader("execute_request")
        let exchange = RelayExchange(msgID: header.msgID, quiet: true)
        let content: [String: JSONValue] = [
            "code": .string(code), "silent": true, "store_history": false, "allow_stdin": false, "stop_on_error": false,
            "user_expressions": .object(expressions.mapValues(JSONValue.string)),
        ]
        run.send(Message(header: header, content: content), on: .shell, exchange: exchange)
        defer { run.forget(header.msgID) }
        var reply: Message?
        var idle = false
        let deadline = Date(timeIntervalSinceNow: timeout)
        while reply == nil || !idle {
            guard let event = exchange.next(timeout: max(0, deadline.timeIntervalSinceNow)) else { return nil }
            switch event {
            case .reply(let message): reply = message
            case .idle: idle = true
            case .died: return nil
            case .inputRequest: return nil
            }
        }
        return reply?.content["user_expressions"]?.objectValue ?? [:]
    }
}
