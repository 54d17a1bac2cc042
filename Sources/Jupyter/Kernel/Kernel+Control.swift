extension Kernel {
    /// The control thread: kernel_info, interrupt and shutdown answered even while a cell runs.
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
                withBusyStatus(message) { reply(on: control, to: message, "kernel_info_reply", kernelInfoContent()) }
            case "comm_info_request":
                withBusyStatus(message) { reply(on: control, to: message, "comm_info_reply", ["status": "ok", "comms": [:]]) }
            default:
                withBusyStatus(message) { log.log("control: ignored unknown message type '\(message.msgType)'") }
            }
        }
    }
}
