extension Kernel {
    /// The shell loop, on the thread that called `run()`: every handler call happens here.
    func serveShell() {
        while true {
            let message: Message
            if !readAhead.isEmpty {
                message = readAhead.removeFirst()
            } else {
                do {
                    // Subshell replies made meanwhile go out first; then the next request, when one came.
                    let ready = try ZMQSocket.poll([shell, outbox.receiver], timeoutMilliseconds: -1)
                    if ready[1] { outbox.flush(to: shell) }
                    guard ready[0], let received = try receiveMessage(from: shell, channel: "shell") else { continue }
                    message = received
                } catch {
                    return
                }
            }
            if routeToSubshell(message) { continue }
            if message.msgType == "shutdown_request" {
                shutdown(message, on: shell)
                return
            }
            if message.msgType == "execute_request" {
                execute(message)  // its own busy and idle
            } else {
                withBusyStatus(message) { dispatchShell(message) }
            }
        }
    }

    private func dispatchShell(_ message: Message) {
        let content = message.content
        switch message.msgType {
        case "kernel_info_request":
            answerKernelInfo(message, on: shell, channel: .shell)
        case "is_complete_request":
            let code = content["code"]?.stringValue ?? ""
            if routesToSubkernel(code: code, cursorPosition: nil), relayReply(message) { return }
            let completeness = handler.isComplete(code: code)
            reply(on: shell, to: message, "is_complete_reply", ReplyContent.isComplete(completeness))
        case "complete_request":
            let code = content["code"]?.stringValue ?? ""
            let cursor = content["cursor_pos"]?.intValue ?? code.scalarCount
            if routesToSubkernel(code: code, cursorPosition: cursor), relayReply(message) { return }
            let completion = handler.complete(code: code, cursorPosition: min(max(0, cursor), code.scalarCount))
            reply(on: shell, to: message, "complete_reply", ReplyContent.complete(completion))
        case "inspect_request":
            let code = content["code"]?.stringValue ?? ""
            let cursor = content["cursor_pos"]?.intValue ?? code.scalarCount
            if routesToSubkernel(code: code, cursorPosition: cursor), relayReply(message) { return }
            let bundle = handler.inspect(code: code, cursorPosition: min(max(0, cursor), code.scalarCount),
                                         detailLevel: content["detail_level"]?.intValue ?? 0)
            reply(on: shell, to: message, "inspect_reply", ReplyContent.inspect(bundle))
        case "history_request":
            reply(on: shell, to: message, "history_reply", subkernel == nil ? history.reply(to: content) : mergedHistory(message))
        case "connect_request":
            reply(on: shell, to: message, "connect_reply", connectReplyContent())
        case "comm_info_request":
            if subkernel?.status.state == .ready, relayReply(message) { return }
            reply(on: shell, to: message, "comm_info_reply", ["status": "ok", "comms": [:]])
        case "comm_open", "comm_msg", "comm_close":
            if subkernel?.isAvailable == true {
                _ = forwardRequest(message)
            } else {
                log.log("shell: no Python to take '\(message.msgType)'")
            }
        default:
            log.log("shell: ignored unknown message type '\(message.msgType)'")
        }
    }

    /// Forwards `request` to the hosted kernel and sends its reply (masked) to the frontend; false when it gave none.
    private func relayReply(_ request: Message) -> Bool {
        guard let answer = forwardRequest(request) else { return false }
        reply(on: shell, to: request, answer.msgType, answer.content, metadata: answer.metadata)
        return true
    }

    /// `execute_request`: busy, execute_input, the handler's outputs, execute_result or error, execute_reply, idle. A
    /// cell that is all Python's goes to Python first, and HubKernel's own messages and bookkeeping for it are made
    /// while Python starts on it (the relay shows nothing of Python's for it before they are out).
    private func execute(_ request: Message) {
        let content = request.content
        guard case .string(let code)? = content["code"] else {
            withBusyStatus(request) {
                let got = content["code"].map { "a JSON \($0.typeName)" } ?? "no 'code' field"
                let fields = ReplyContent.errorFields(("InvalidRequest", "This execute_request has \(got) where its 'code' must be a string, "
                                                       + "so nothing was run. The frontend sent a malformed message: update it or report it to its authors.", []))
                publisher.publish("error", content: fields, parent: request.header)
                reply(on: shell, to: request, "execute_reply",
                      fields.merging(["status": "error", "execution_count": .number(Double(executionCount))]) { $1 })
            }
            return
        }
        let silent = content["silent"]?.boolValue ?? false
        let storeHistory = silent ? false : (content["store_history"]?.boolValue ?? true)
        let stopOnError = content["stop_on_error"]?.boolValue ?? true
        let count = storeHistory ? executionCount + 1 : executionCount
        let cell = CellContext(executionCount: count, allowsStdin: content["allow_stdin"]?.boolValue ?? true,
                               parent: request.header, identities: request.identities, publisher: publisher, stdin: stdin)
        setCurrentCell(cell)
        defer { setCurrentCell(nil) }
        let sentAtOnce = runTakingWholeCell(code, count: count, storeHistory: storeHistory).map {
            beginForward(request, code: code, run: $0, count: count, storeHistory: storeHistory, cell: cell, pythonAnnounces: true)
        }
        executionCount = count
        if sentAtOnce == nil {
            publisher.status("busy", parent: request.header)
            if !silent {
                publisher.publish("execute_input", content: ["code": .string(code), "execution_count": .number(Double(count))],
                                  parent: request.header)
            }
        }
        if storeHistory { history.record(line: count, input: redact(code)) }

        // Requests that queued up while this cell ran are read before its reply goes out, so a request sent after
        // the client saw the reply is never aborted by mistake. Without any, the idle may go out with Python's.
        var aborted: [Message] = []
        func answer(_ replyContent: [String: JSONValue]) -> Bool {
            aborted = replyContent["status"] == "error" && stopOnError ? takeQueuedExecutions() : []
            reply(on: shell, to: request, "execute_reply", replyContent)
            return aborted.isEmpty
        }
        let idlePublished: Bool
        if let sentAtOnce {
            idlePublished = finishForward(sentAtOnce, request: request, count: count, cell: cell, answer: answer)
        } else {
            idlePublished = run(code, of: request, count: count, silent: silent, storeHistory: storeHistory, cell: cell,
                                answer: answer)
        }
        for queued in aborted {
            withBusyStatus(queued) {
                reply(on: shell, to: queued, "execute_reply", ["status": "aborted"], metadata: ["status": "aborted"])
            }
        }
        if !idlePublished { publisher.status("idle", parent: request.header) }
    }

    /// Runs a cell through the handler (and what it leaves, through Python); `answer` gets the `execute_reply` content.
    /// Returns whether the relay published the cell's idle (`finishForward`).
    private func run(_ code: String, of request: Message, count: Int, silent: Bool, storeHistory: Bool, cell: CellContext,
                     answer: ([String: JSONValue]) -> Bool) -> Bool {
        let outcome = handler.execute(code: code, context: cell)
        if case .forward(let rest) = outcome {
            return forwardExecute(request, code: rest, count: count, storeHistory: storeHistory, cell: cell, answer: answer)
        }
        var replyContent: [String: JSONValue] = ["execution_count": .number(Double(count))]
        if let failure = ReplyContent.failure(outcome) {
            let fields = ReplyContent.errorFields(failure)
            publisher.publish("error", content: fields, parent: request.header)
            replyContent.merge(fields) { _, new in new }
            replyContent["status"] = "error"
        } else {
            if case .ok(let result?) = outcome, !silent {
                publisher.publish("execute_result", content: ["execution_count": .number(Double(count)),
                                                              "data": .object(result), "metadata": [:]],
                                  parent: request.header)
                if storeHistory, let text = result["text/plain"]?.stringValue { history.setOutput(line: count, output: redact(text)) }
            }
            replyContent["status"] = "ok"
            replyContent["user_expressions"] = [:]
            replyContent["payload"] = []
        }
        _ = answer(replyContent)
        return false
    }

    /// After a failed cell with `stop_on_error`, execute requests already queued are answered
    /// `aborted` (as ipykernel does): this takes them off the socket. Other queued requests are kept in
    /// `readAhead` and served in order.
    private func takeQueuedExecutions() -> [Message] {
        // Requests read while the cell ran (`readAhead`) come first, in the order they came.
        var executions = readAhead.filter { $0.msgType == "execute_request" }
        readAhead.removeAll { $0.msgType == "execute_request" }
        while true {
            guard let frames = try? shell.receive(dontWait: true) else { return executions }
            do {
                let message = try session.decode(frames)
                if message.msgType == "execute_request" { executions.append(message) } else { readAhead.append(message) }
            } catch {
                log.log("shell: \(error)")
            }
        }
    }
}
