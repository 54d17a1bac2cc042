import Foundation

/// Subshells (kernel protocol 5.5, JEP 91): a shell request whose header names a `subshell_id` belongs to that
/// subshell of the hosted Python, which runs it alongside the main shell (a second execute, a comm message a running
/// cell waits for). HubKernel sends it on at once, from wherever the shell thread reads it — idle, or pumping while a
/// cell runs — and a worker waits for Python's answer, so neither shell waits for the other: HubKernel's magics run
/// in the main shell while Python runs in a subshell. Python orders each subshell's requests itself. A subshell is
/// Python's alone: its code reaches Python unchanged (no HubKernel lines), and `input()` there is not relayed
/// (`allow_stdin` false: Python raises StdinNotImplementedError instead of waiting for an answer nobody is asked).
/// Replies and outputs are masked as every relayed message is.
extension Kernel {
    /// The subshell a shell request is addressed to, if any.
    static func subshellID(of message: Message) -> String? {
        message.header.extraFields["subshell_id"]?.stringValue
    }

    /// Sends a subshell's request to Python and answers it when Python has; false (nothing done) for a request of
    /// the main shell. Shell thread.
    func routeToSubshell(_ message: Message) -> Bool {
        guard Self.subshellID(of: message) != nil else { return false }
        publisher.status("busy", parent: message.header)
        var forwarded = message
        if message.msgType == "execute_request" {
            forwarded.content["allow_stdin"] = false
            // Python's counter moves: the next main cell sets it back to HubKernel's.
            if message.content["silent"]?.boolValue != true { subkernelCount = nil }
        }
        guard let subkernel, subkernel.isAvailable, let run = subkernel.currentRun() else {
            finishSubshellRequest(message, answer: nil, failure: .unavailable("this kernel hosts no Python that can run"))
            return true
        }
        let exchange = RelayExchange(msgID: message.header.msgID, relaysExecuteInput: true)
        let request = forwarded
        let sendNow = run.isReady
        if sendNow { run.send(request, on: .shell, exchange: exchange) }
        DispatchQueue.global().async { [self] in
            defer { run.forget(message.header.msgID) }
            if !sendNow {
                guard run.waitUntilReady(timeout: 120) else {
                    finishSubshellRequest(message, answer: nil, failure: .unavailable("Python did not start"))
                    return
                }
                run.send(request, on: .shell, exchange: exchange)
            }
            let expectsReply = !message.msgType.hasPrefix("comm_") || message.msgType == "comm_info_request"
            var answer: Message?
            var idle = false
            while (expectsReply && answer == nil) || !idle {
                guard let event = exchange.next() else { break }
                switch event {
                case .reply(let reply): answer = reply
                case .idle: idle = true
                case .inputRequest: continue
                case .died(let description):
                    finishSubshellRequest(message, answer: answer, failure: answer == nil ? .died(description) : nil)
                    return
                }
            }
            finishSubshellRequest(message, answer: answer, failure: nil)
        }
        return true
    }

    /// Sends Python's reply (or, for an execute it could not run, an error reply) through the shell outbox, then idle.
    private func finishSubshellRequest(_ request: Message, answer: Message?, failure: SubkernelFailure?) {
        if let answer {
            outbox.post(session.encode(answer.msgType, content: answer.content, parent: request.header,
                                       metadata: answer.metadata, identities: request.identities))
        } else if let failure, request.msgType == "execute_request" {
            let content = failure.replyContent(count: 0, publisher: publisher, parent: request.header)
            outbox.post(session.encode("execute_reply", content: content, parent: request.header, identities: request.identities))
        }
        publisher.status("idle", parent: request.header)
    }
}
