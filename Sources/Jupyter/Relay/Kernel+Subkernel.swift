import Foundation

/// The relay's half that runs on the kernel's threads: starting the hosted kernel, forwarding requests to it
/// with the frontend's own header (so the frontend's `msg_id` stays the parent of every output), and turning
/// its replies into this kernel's.
extension Kernel {
    /// Starts the hosted kernel in the background (on the shell thread, which lives as long as the process).
    func startSubkernel() {
        guard let subkernel else { return }
        subkernel.attach(SubkernelRun.Sinks(publish: { [publisher] in publisher.relay($0) },
                                            forward: { [session] in session.forwardedFrames($0) },
                                            publishFrames: { [publisher] in publisher.relay(frames: $0) },
                                            makeStreamFilter: makeStreamFilter, log: { [log] in log.log($0) },
                                            linkKey: connection.key, frontendSession: session.sessionID))
        subkernel.start()
    }

    /// `kernel_info_reply` content: the hosted kernel's own (`childReply`, else the one it gave at its start) with
    /// HubKernel's identity and the features the relay carries; a default Python `language_info` until it answered;
    /// HubKernel's own when no Python can run.
    func kernelInfoContent(childReply: [String: JSONValue]? = nil) -> [String: JSONValue] {
        guard let subkernel, subkernel.isAvailable else { return ReplyContent.kernelInfo(info) }
        guard let child = childReply ?? subkernel.kernelInfo else {
            return ReplyContent.kernelInfo(info, languageInfo: ReplyContent.pythonLanguageInfo)
        }
        return ReplyContent.kernelInfo(info, relaying: child)
    }

    /// How long a `kernel_info_request` waits for a starting Python (ipykernel answers it once it runs; a frontend
    /// learns from it whether the debugger and subshells are there).
    static let kernelInfoWait = 10.0

    /// Answers `kernel_info_request` on `socket`: relayed to a running Python (so it is its parent on that channel, as
    /// with ipykernel); on shell after waiting up to `kernelInfoWait` for one that is starting (control never waits:
    /// it must stay free for interrupt and shutdown); HubKernel's own answer without.
    func answerKernelInfo(_ request: Message, on socket: ZMQSocket, channel: Channel) {
        let childReply = channel == .control ? forwardControl(request) : forwardRequest(request, timeout: Self.kernelInfoWait)
        reply(on: socket, to: request, "kernel_info_reply", kernelInfoContent(childReply: childReply?.content))
    }

    /// How long a Python cell waits for a starting Python before it shows "Starting Python…".
    static let startNoticeDelay = 3.0

    /// Waits for the hosted kernel to be ready, showing one "Starting Python…" display after `startNoticeDelay` that
    /// is gone once Python is ready (cleared when it is the cell's only output, else emptied: ipykernel's cell would
    /// hold neither). Returns the run, or why there is none (already as an error reply's fields).
    private func readySubkernel(for cell: CellContext) -> Result<SubkernelRun, SubkernelFailure> {
        guard let subkernel else { return .failure(.unavailable("this kernel hosts no Python")) }
        let endedBefore = subkernel.endedOnItsOwn
        guard let run = subkernel.currentRun() else {
            if case .unavailable(let reason) = subkernel.status.state { return .failure(.unavailable(reason)) }
            return .failure(.unavailable("Python could not be started"))
        }
        if let endedBefore {
            cell.stream("Python \(endedBefore) earlier; a fresh Python started: variables defined before are gone.\n",
                        toStandardError: true)
        }
        if run.isReady { return .success(run) }
        // ipykernel starts in about a second: only a longer wait gets a notice (two more outputs in the cell, one
        // of them an update_display_data that ipykernel itself never sends unasked).
        if run.waitUntilReady(timeout: Self.startNoticeDelay, cancelled: { cell.isInterrupted }) { return .success(run) }
        if cell.isInterrupted { return .failure(.interrupted) }
        let displayID = "hubkernel-python-start-\(UUID().uuidString)"
        let name = subkernel.status.spec?.displayName ?? "Python"
        let alone = cell.outputCount == 0
        cell.display(["text/plain": .string("Starting \(name)…")], metadata: [:], displayID: displayID)
        let ready = run.waitUntilReady(timeout: 120, cancelled: { cell.isInterrupted })
        if ready {
            if alone {
                cell.clearOutput(wait: false)
            } else {
                cell.updateDisplay(["text/plain": ""], metadata: [:], displayID: displayID)
            }
            log.log("Python started in \(String(format: "%.1f", Date().timeIntervalSince(run.startedAt))) s")
            return .success(run)
        }
        if cell.isInterrupted { return .failure(.interrupted) }
        if let ended = run.exitDescription {
            let reason = Subkernel.explainFailedStart(spec: subkernel.status.spec, ended: ended, output: run.lastOutputLines.joined(separator: " "))
            cell.updateDisplay(["text/plain": .string("Python did not start.")], metadata: [:], displayID: displayID)
            return .failure(.unavailable(reason))
        }
        return .failure(.unavailable("Python did not answer within 120 s of starting: see the kernel log, then %python restart"))
    }

    /// A cell sent to the hosted kernel, its answers still to come.
    struct ForwardedCell {
        let run: SubkernelRun
        let exchange: RelayExchange
    }

    /// The running, ready Python a cell that is all Python's (`KernelHandler.forwardsWholeCell`) can go to at once,
    /// before HubKernel publishes anything for it; nil when it must go the long way (`forwardExecute`): no Python
    /// ready, its counter not in step with HubKernel's, or a cell kept out of the history (whose `execute_input`
    /// Python would number by its own counter). Never starts a Python.
    func runTakingWholeCell(_ code: String, count: Int, storeHistory: Bool) -> SubkernelRun? {
        guard storeHistory, let run = subkernel?.liveRun, run.isReady,
              let expected = subkernelCount, expected.run == ObjectIdentifier(run), expected.next == count else { return nil }
        return handler.forwardsWholeCell(code: code) ? run : nil
    }

    /// Sends `code` to `run` as the rest of `request` (cell `count`). With `pythonAnnounces` (a cell taken whole,
    /// `runTakingWholeCell`), HubKernel publishes no busy or `execute_input` for it: Python's go to the frontends,
    /// when ipykernel's would.
    func beginForward(_ request: Message, code: String, run: SubkernelRun, count: Int, storeHistory: Bool,
                      cell: CellContext, pythonAnnounces: Bool) -> ForwardedCell {
        if storeHistory { subkernelCount = (ObjectIdentifier(run), count + 1) }
        // The frontend's request as it came (identities, header, metadata, buffers), with the code HubKernel left.
        var forwarded = request
        forwarded.content["code"] = .string(code)
        forwarded.content["stop_on_error"] = false  // HubKernel aborts the frontend's queue itself
        let exchange = RelayExchange(msgID: request.header.msgID, executionCount: count,
                                     relaysExecuteInput: pythonAnnounces, relaysBusy: pythonAnnounces)
        cell.setForwarding(true)
        run.send(forwarded, on: .shell, exchange: exchange)
        return ForwardedCell(run: run, exchange: exchange)
    }

    /// Waits for Python's answers to a forwarded cell: `answer` gets the `execute_reply` content as soon as Python's
    /// reply comes (as ipykernel, the reply goes before the idle), or the failure's; returns after Python's idle. When
    /// `answer` returns true, the request's idle may go out with Python's (the relay publishes it); returns whether it did.
    func finishForward(_ forwarded: ForwardedCell, request: Message, count: Int, cell: CellContext,
                       answer: ([String: JSONValue]) -> Bool) -> Bool {
        defer {
            cell.setForwarding(false)
            forwarded.run.forget(request.header.msgID)
        }
        var answered = false
        let outcome = awaitAnswer(forwarded.exchange, run: forwarded.run, cell: cell) { reply in
            var content = reply.content
            content["execution_count"] = .number(Double(count))
            answered = true
            if answer(content) {
                _ = forwarded.exchange.handOverIdle { [publisher] in publisher.status("idle", parent: request.header) }
            }
        }
        if case .failure(let failure) = outcome, !answered {
            _ = answer(failure.replyContent(count: count, publisher: publisher, parent: request.header))
        }
        return forwarded.exchange.idleWasPublished
    }

    /// Runs `code` in the hosted kernel as the rest of `request` (cell `count`), starting or waiting for Python as
    /// needed; `answer` gets the `execute_reply` content. Returns whether the relay published the idle (`finishForward`).
    func forwardExecute(_ request: Message, code: String, count: Int, storeHistory: Bool, cell: CellContext,
                        answer: ([String: JSONValue]) -> Bool) -> Bool {
        let run: SubkernelRun
        switch readySubkernel(for: cell) {
        case .success(let ready): run = ready
        case .failure(let failure):
            _ = answer(failure.replyContent(count: count, publisher: publisher, parent: request.header))
            return false
        }
        // One counter, HubKernel's: Python numbers this cell the same, so its Out[n] and _n match the prompt.
        if storeHistory {
            let next = subkernelCount?.run == ObjectIdentifier(run) ? subkernelCount!.next : 1
            if next != count {
                _ = Subkernel.quietly(run, code: "get_ipython().execution_count = \(count)", expressions: [:], timeout: 10)
            }
        }
        let forwarded = beginForward(request, code: code, run: run, count: count, storeHistory: storeHistory, cell: cell,
                                     pythonAnnounces: false)
        return finishForward(forwarded, request: request, count: count, cell: cell, answer: answer)
    }

    /// Waits for the reply and the idle of a forwarded request, answering the child's `input_request`s through
    /// the frontend's stdin meanwhile; `onReply` gets the reply when it comes.
    private func awaitAnswer(_ exchange: RelayExchange, run: SubkernelRun, cell: CellContext?, timeout: Double? = nil,
                             onReply: (Message) -> Void = { _ in }) -> Result<Message, SubkernelFailure> {
        var reply: Message?
        var idle = false
        let deadline = timeout.map { Date(timeIntervalSinceNow: $0) }
        // While a cell runs (on the shell thread), comm messages the frontend sends go on to Python at once, as
        // ipykernel takes them while a cell awaits (a widget's answer the cell waits for); other requests wait.
        var comms = CommsInFlight()
        defer { comms.finish(kernel: self, run: run) }
        while reply == nil || !idle {
            if cell != nil { comms.pump(kernel: self, run: run) }
            var wait = deadline.map { max(0, $0.timeIntervalSinceNow) }
            if cell != nil { wait = min(wait ?? 0.02, 0.02) }
            guard let event = exchange.next(timeout: wait) else {
                if cell != nil, deadline.map({ $0.timeIntervalSinceNow > 0 }) ?? true { continue }
                return reply.map { .success($0) } ?? .failure(.noAnswer)
            }
            switch event {
            case .reply(let message):
                reply = message
                onReply(message)
            case .idle: idle = true
            case .died(let description):
                if let reply { return .success(reply) }
                closeComms(of: run)
                return .failure(.died(description))
            case .inputRequest(let request):
                guard let cell else { continue }
                let prompt = request.content["prompt"]?.stringValue ?? ""
                let password = request.content["password"]?.boolValue ?? false
                do {
                    let answer = try cell.input(prompt: prompt, password: password)
                    run.send(Message(header: run.makeHeader("input_reply"), parentHeader: request.header.json,
                                     content: ["status": "ok", "value": .string(answer)]), on: .stdin)
                } catch {
                    // Interrupted while the user was asked: the interrupt already reached Python, which stops waiting.
                    if cell.isInterrupted == false { subkernel?.interrupt() }
                }
            }
        }
        return .success(reply!)
    }

    /// Comm messages taken off the shell socket while a cell runs and sent on to Python, each with HubKernel's busy
    /// and, once Python's idle for it came, idle.
    struct CommsInFlight {
        private var waiting: [(request: Message, exchange: RelayExchange)] = []

        /// Reads what the frontend sent meanwhile: comm messages go to Python now, everything else to `readAhead`.
        mutating func pump(kernel: Kernel, run: SubkernelRun) {
            kernel.outbox.flush(to: kernel.shell)
            while let frames = try? kernel.shell.receive(dontWait: true) {
                let message: Message
                do {
                    message = try kernel.session.decode(frames)
                } catch {
                    kernel.log.log("shell: \(error)")
                    continue
                }
                if kernel.routeToSubshell(message) { continue }
                guard ["comm_msg", "comm_open", "comm_close"].contains(message.msgType) else {
                    kernel.readAhead.append(message)
                    continue
                }
                kernel.publisher.status("busy", parent: message.header)
                switch message.msgType {
                case "comm_open": run.noteComm(opened: message.content["comm_id"]?.stringValue, closed: nil)
                case "comm_close": run.noteComm(opened: nil, closed: message.content["comm_id"]?.stringValue)
                default: break
                }
                let exchange = RelayExchange(msgID: message.header.msgID)
                run.send(message, on: .shell, exchange: exchange)
                waiting.append((message, exchange))
            }
            waiting.removeAll { entry in
                while let event = entry.exchange.next(timeout: 0) {
                    if case .reply = event { continue }
                    if case .inputRequest = event { continue }
                    Self.close(entry, kernel: kernel, run: run)
                    return true
                }
                return false
            }
        }

        /// The cell ended: waits a little for Python's idle of each comm message still open, then closes them.
        mutating func finish(kernel: Kernel, run: SubkernelRun) {
            for entry in waiting {
                while let event = entry.exchange.next(timeout: 5) {
                    if case .idle = event { break }
                    if case .died = event { break }
                }
                Self.close(entry, kernel: kernel, run: run)
            }
            waiting.removeAll()
        }

        private static func close(_ entry: (request: Message, exchange: RelayExchange), kernel: Kernel, run: SubkernelRun) {
            run.forget(entry.request.header.msgID)
            kernel.publisher.status("idle", parent: entry.request.header)
        }
    }

    /// When the child died, its comms are gone: tell the frontends so widgets show as closed.
    private func closeComms(of run: SubkernelRun) {
        for commID in run.openComms.sorted() {
            publisher.publish("comm_close", content: ["comm_id": .string(commID), "data": [:]], parent: nil)
            run.noteComm(opened: nil, closed: commID)
        }
    }

    /// Forwards a non-execute shell request (complete, inspect, is_complete, history, comm_*) and returns the
    /// child's reply, or nil when there is none (no Python, not ready within `timeout`, or no reply expected).
    func forwardRequest(_ request: Message, timeout: Double = 30) -> Message? {
        guard let subkernel, let run = subkernel.currentRun() else { return nil }
        guard run.waitUntilReady(timeout: timeout) else { return nil }
        switch request.msgType {
        case "comm_open": run.noteComm(opened: request.content["comm_id"]?.stringValue, closed: nil)
        case "comm_close": run.noteComm(opened: nil, closed: request.content["comm_id"]?.stringValue)
        default: break
        }
        let exchange = RelayExchange(msgID: request.header.msgID)
        defer { run.forget(request.header.msgID) }
        run.send(request, on: .shell, exchange: exchange)
        let expectsReply = !request.msgType.hasPrefix("comm_") || request.msgType == "comm_info_request"
        if !expectsReply {
            // Comm messages get no reply: wait for the child's idle, so their outputs come before ours.
            while let event = exchange.next(timeout: timeout) {
                if case .idle = event { break }
                if case .died = event { break }
            }
            return nil
        }
        if case .success(let reply) = awaitAnswer(exchange, run: run, cell: nil, timeout: timeout) { return reply }
        return nil
    }

    /// Relays a control request to the hosted kernel's control channel and returns its reply: nil without a running,
    /// ready Python, or when it gave none (ipykernel does not answer a type it does not know: its idle, then a second's
    /// grace for the reply, ends the wait). `onReply` gets the reply the moment it comes (as ipykernel sends it, before
    /// its idle, which trails on iopub by tens of milliseconds while a cell prints); the call returns once the idle came
    /// too. On the control thread, so requests are served one at a time, in order.
    func forwardControl(_ request: Message, timeout: Double = 120, onReply: (Message) -> Void = { _ in }) -> Message? {
        // Never waits for a starting Python: the control thread must stay free for interrupt and shutdown.
        guard let subkernel, subkernel.isAvailable, let run = subkernel.currentRun(), run.isReady else { return nil }
        let exchange = RelayExchange(msgID: request.header.msgID)
        defer { run.forget(request.header.msgID) }
        run.send(request, on: .control, exchange: exchange)
        var answer: Message?
        var idleAt: Date?
        let deadline = Date(timeIntervalSinceNow: timeout)
        while answer == nil || idleAt == nil {
            var wait = deadline.timeIntervalSinceNow
            if let idleAt { wait = min(wait, 1 - Date().timeIntervalSince(idleAt)) }
            guard wait > 0, let event = exchange.next(timeout: wait) else { break }
            switch event {
            case .reply(let message):
                answer = message
                onReply(message)
            case .idle: idleAt = Date()
            case .died: return answer
            case .inputRequest: continue
            }
        }
        return answer
    }

    /// Whether the handler hands `code` to the hosted kernel (and one can run).
    func routesToSubkernel(code: String, cursorPosition: Int?) -> Bool {
        guard let subkernel, subkernel.isAvailable else { return false }
        return handler.routesToSubkernel(code: code, cursorPosition: cursorPosition)
    }

    /// `history_request` with a hosted kernel: this kernel's history is the current session (every cell, magic or
    /// Python, masked); the child adds the sessions before it (IPython keeps them in its database).
    func mergedHistory(_ request: Message) -> [String: JSONValue] {
        guard let subkernel, subkernel.status.state == .ready,
              let session = subkernel.evaluate(expressions: ["s": "get_ipython().history_manager.session_number"])?["s"]?["data"]?["text/plain"]?.stringValue
                .flatMap({ Int($0) }) else {
            return history.reply(to: request.content)
        }
        history.sessionNumber = session
        let ours = history.reply(to: request.content)["history"]?.arrayValue ?? []
        let accessType = request.content["hist_access_type"]?.stringValue ?? "tail"
        if accessType == "range" {
            let asked = request.content["session"]?.intValue ?? 0
            if asked <= 0 || asked == session { return ["status": "ok", "history": .array(ours)] }
        }
        let earlier = (forwardRequest(request, timeout: 10)?.content["history"]?.arrayValue ?? [])
            .filter { $0.arrayValue?.first?.intValue != session }
        var rows = earlier + ours
        if accessType != "range", let n = request.content["n"]?.intValue { rows = Array(rows.suffix(max(0, n))) }
        return ["status": "ok", "history": .array(rows)]
    }
}

/// Why a forwarded request got no answer from the hosted kernel.
enum SubkernelFailure: Error {
    case unavailable(String)
    case died(String)
    case interrupted
    case noAnswer

    /// Publishes the error and returns the `execute_reply` content for it.
    func replyContent(count: Int, publisher: IOPubPublisher, parent: MessageHeader) -> [String: JSONValue] {
        let (name, value): (String, String)
        switch self {
        case .unavailable(let reason):
            (name, value) = ("PythonUnavailable", "Python lines cannot run: \(reason). HubKernel magics still work.")
        case .died(let description):
            (name, value) = ("PythonDied", "Python \(description) while running this cell; its variables are lost. "
                             + "HubKernel and your login are still here: the next Python cell starts a fresh Python.")
        case .interrupted:
            (name, value) = ("KeyboardInterrupt", "Interrupted while Python was starting.")
        case .noAnswer:
            (name, value) = ("PythonNoAnswer", "Python did not answer this request: run %python to see its state, or %python restart.")
        }
        let fields = ReplyContent.errorFields((name, value, ["\u{1B}[0;31m\(name)\u{1B}[0m: \(value)"]))
        publisher.publish("error", content: fields, parent: parent)
        return fields.merging(["status": "error", "execution_count": .number(Double(count))]) { $1 }
    }
}
