extension Kernel {
    /// The control thread: kernel_info, interrupt, shutdown and connect answered even while a cell runs; other requests
    /// relayed to the hosted kernel's control channel, one at a time as ipykernel serves them.
    func serveControl() {
        defer { control.close() }
        while true {
            let message: Message
            do {
                guard let received = try receiveMessage(from: control, channel: "control") else { continue }
                message = received
            } catch {
                return
            }
            switch message.msgType {
            case "shutdown_request":
                shutdown(message, on: control)
                return
            case "interrupt_request":
                withBusyStatus(message) {
                    interruptRunningCell(reason: "interrupt_request")
                    reply(on: control, to: message, "interrupt_reply", ["status": "ok"])
                }
            case "kernel_info_request":
                withBusyStatus(message) { answerKernelInfo(message, on: control, channel: .control) }
            case "connect_request":
                withBusyStatus(message) { reply(on: control, to: message, "connect_reply", connectReplyContent()) }
            default:
                // Everything else on control is the hosted kernel's (ipykernel answers execute_request, comm_info,
                // the subshell requests, debug_request there); without one, ignored as ipykernel ignores an unknown type.
                withBusyStatus(message) {
                    // Python's reply goes out as it comes; HubKernel's idle waits for Python's.
                    let answer = forwardControl(message) { answer in
                        reply(on: control, to: message, answer.msgType, answer.content, metadata: answer.metadata)
                    }
                    if answer != nil {
                        return
                    } else if message.msgType == "comm_info_request" {
                        reply(on: control, to: message, "comm_info_reply", ["status": "ok", "comms": [:]])
                    } else {
                        log.log("control: no answer to '\(message.msgType)'")
                    }
                }
            }
        }
    }

    /// `connect_reply`: the ports of this kernel's channels (as ipykernel answers, from its connection file).
    func connectReplyContent() -> [String: JSONValue] {
        var content: [String: JSONValue] = ["status": "ok"]
        for channel in Channel.allCases {
            if let port = connection.ports[channel] { content["\(channel.rawValue)_port"] = .number(Double(port)) }
        }
        return content
    }
}
