import Foundation
import XCTest
@testable import Jupyter

/// The kernel end to end in-process: a real `Kernel` on ipc sockets, driven by `TestClient`.
final class KernelLoopTests: XCTestCase {
    private var kernel: RunningKernel!
    private var client: TestClient!

    override func setUpWithError() throws {
        kernel = try RunningKernel(redact: { $0.replacingOccurrences(of: "SECRET", with: "[redacted]") })
        client = try TestClient(connection: kernel.connection)
        XCTAssertEqual(try client.waitForWelcome()?.content, ["subscription": ""])
    }

    override func tearDownWithError() throws {
        if let client {
            _ = try? client.send("shutdown_request", ["restart": false], on: client.control)
            _ = try? client.receive(client.control, timeout: 2)
            XCTAssertTrue(kernel.waitUntilStopped())
            client.close()
        }
        client = nil
        kernel = nil
    }

    private func execute(_ code: String, allowStdin: Bool = true) throws -> (reply: Message, iopub: [Message]) {
        let header = try client.send("execute_request", ["code": .string(code), "silent": false, "store_history": true,
                                                         "user_expressions": [:], "allow_stdin": .bool(allowStdin),
                                                         "stop_on_error": true], on: client.shell)
        let reply = try XCTUnwrap(try client.receive(client.shell))
        XCTAssertEqual(reply.parentHeader["msg_id"]?.stringValue, header.msgID)
        return (reply, try client.iopubUntilIdle(parent: header))
    }

    func testKernelInfoOnShellAndControlWithStatus() throws {
        for socket in [client.shell, client.control] {
            let header = try client.send("kernel_info_request", [:], on: socket)
            let reply = try XCTUnwrap(try client.receive(socket))
            XCTAssertEqual(reply.msgType, "kernel_info_reply")
            XCTAssertEqual(reply.content["protocol_version"], .string(jupyterProtocolVersion))
            XCTAssertEqual(reply.content["language_info"]?["mimetype"], "text/x-scripted")
            XCTAssertEqual(reply.content["language_info"]?["file_extension"], ".scr")
            XCTAssertEqual(reply.content["help_links"], [["text": "Docs", "url": "https://example.invalid/docs"]])
            let statuses = try client.iopubUntilIdle(parent: header).map { $0.content["execution_state"]?.stringValue }
            XCTAssertEqual(statuses, ["busy", "idle"])
        }
    }

    func testExecuteStreamsResultsAndCounts() throws {
        let (reply, iopub) = try execute("echo hello SECRET")
        XCTAssertEqual(reply.content["status"], "ok")
        XCTAssertEqual(reply.content["execution_count"], 1)
        XCTAssertEqual(iopub.map(\.msgType), ["status", "execute_input", "stream", "status"])
        XCTAssertEqual(iopub[2].content, ["name": "stdout", "text": "hello [redacted]\n"])
        XCTAssertEqual(iopub[1].content["code"], "echo hello [redacted]")

        let (second, outputs) = try execute("result 42")
        XCTAssertEqual(second.content["execution_count"], 2)
        let result = try XCTUnwrap(outputs.first { $0.msgType == "execute_result" })
        XCTAssertEqual(result.content["data"], ["text/plain": "42"])
        XCTAssertEqual(result.content["execution_count"], 2)

        let history = try client.send("history_request", ["hist_access_type": "tail", "n": 2, "output": true, "raw": true],
                                      on: client.shell)
        let historyReply = try XCTUnwrap(try client.receive(client.shell))
        XCTAssertEqual(historyReply.parentHeader["msg_id"]?.stringValue, history.msgID)
        XCTAssertEqual(historyReply.content["history"], [[1, 1, ["echo hello [redacted]", nil]], [1, 2, ["result 42", "42"]]])
    }

    func testErrorAndDisplayMessages() throws {
        let (reply, iopub) = try execute("fail")
        XCTAssertEqual(reply.content["status"], "error")
        XCTAssertEqual(reply.content["ename"], "ScriptError")
        let error = try XCTUnwrap(iopub.first { $0.msgType == "error" })
        XCTAssertEqual(error.content["traceback"], ["line 1: fail"])

        let (_, displays) = try execute("display")
        XCTAssertEqual(displays.map(\.msgType), ["status", "execute_input", "display_data", "update_display_data", "clear_output", "status"])
        XCTAssertEqual(displays[2].content["transient"], ["display_id": "progress"])
        XCTAssertEqual(displays[3].content["transient"], ["display_id": "progress"])
        XCTAssertEqual(displays[3].content["data"], ["text/plain": "100%"])
        XCTAssertEqual(displays[4].content["wait"], true)
    }

    func testCompleteInspectIsCompleteCommInfo() throws {
        try client.send("complete_request", ["code": "ec", "cursor_pos": 2], on: client.shell)
        let completion = try XCTUnwrap(try client.receive(client.shell))
        XCTAssertEqual(completion.content["matches"], ["echo"])
        XCTAssertEqual(completion.content["cursor_end"], 2)
        try client.send("inspect_request", ["code": "echo", "cursor_pos": 4, "detail_level": 0], on: client.shell)
        XCTAssertEqual(try client.receive(client.shell)?.content["found"], true)
        try client.send("is_complete_request", ["code": "echo \\"], on: client.shell)
        let completeness = try XCTUnwrap(try client.receive(client.shell))
        XCTAssertEqual(completeness.content, ["status": "incomplete", "indent": "  "])
        try client.send("comm_info_request", [:], on: client.shell)
        XCTAssertEqual(try client.receive(client.shell)?.content, ["status": "ok", "comms": [:]])
    }

    func testInterruptViaControlWhileHeartbeatAnswers() throws {
        let header = try client.send("execute_request", ["code": "sleep", "allow_stdin": true], on: client.shell)
        Thread.sleep(forTimeInterval: 0.2)
        XCTAssertTrue(try client.ping(), "heartbeat must answer while a cell runs")
        try client.send("kernel_info_request", [:], on: client.control)
        XCTAssertEqual(try client.receive(client.control, timeout: 2)?.msgType, "kernel_info_reply")
        try client.send("interrupt_request", [:], on: client.control)
        XCTAssertEqual(try client.receive(client.control, timeout: 2)?.content["status"], "ok")
        let reply = try XCTUnwrap(try client.receive(client.shell, timeout: 2))
        XCTAssertEqual(reply.parentHeader["msg_id"]?.stringValue, header.msgID)
        XCTAssertEqual(reply.content["ename"], "KeyboardInterrupt")
        XCTAssertEqual(try execute("echo still alive").reply.content["status"], "ok")
    }

    func testFailureAbortsExecutionsQueuedMeanwhileButServesOtherRequests() throws {
        let sleeping = try client.send("execute_request", ["code": "sleep"], on: client.shell)
        let queued = try client.send("execute_request", ["code": "echo queued"], on: client.shell)
        let info = try client.send("kernel_info_request", [:], on: client.shell)
        Thread.sleep(forTimeInterval: 0.2)
        try client.send("interrupt_request", [:], on: client.control)
        var replies: [String: Message] = [:]
        for _ in 0..<3 {
            let reply = try XCTUnwrap(try client.receive(client.shell, timeout: 3))
            replies[reply.parentHeader["msg_id"]!.stringValue!] = reply
        }
        XCTAssertEqual(replies[sleeping.msgID]?.content["ename"], "KeyboardInterrupt")
        XCTAssertEqual(replies[queued.msgID]?.content["status"], "aborted")
        XCTAssertEqual(replies[info.msgID]?.msgType, "kernel_info_reply")
        XCTAssertEqual(try execute("echo after").reply.content["status"], "ok")
    }

    func testPasswordInputAnsweredOnStdin() throws {
        let header = try client.send("execute_request", ["code": "ask Token:", "allow_stdin": true], on: client.shell)
        let request = try XCTUnwrap(try client.receive(client.stdin))
        XCTAssertEqual(request.msgType, "input_request")
        XCTAssertEqual(request.content, ["prompt": "Token:", "password": true])
        XCTAssertEqual(request.parentHeader["msg_id"]?.stringValue, header.msgID)
        try client.send("input_reply", ["value": "swordfish"], on: client.stdin)
        XCTAssertEqual(try client.receive(client.shell)?.content["status"], "ok")
        let stream = try client.iopubUntilIdle(parent: header).first { $0.msgType == "stream" }
        XCTAssertEqual(stream?.content["text"], "got swordfish\n")
    }

    func testInterruptWhileWaitingForInput() throws {
        try client.send("execute_request", ["code": "ask Name:", "allow_stdin": true], on: client.shell)
        XCTAssertEqual(try client.receive(client.stdin)?.msgType, "input_request")
        try client.send("interrupt_request", [:], on: client.control)
        XCTAssertEqual(try client.receive(client.shell, timeout: 2)?.content["ename"], "KeyboardInterrupt")
    }

    func testStdinNotAllowed() throws {
        let (reply, _) = try execute("ask Name:", allowStdin: false)
        XCTAssertEqual(reply.content["ename"], "StdinNotAllowed")
    }

    func testBadMessagesAreDroppedAndTheKernelCarriesOn() throws {
        func signedFrames(_ msgType: String, header: [String: JSONValue]? = nil) -> [[UInt8]] {
            var frames = client.session.encode(Message(header: client.session.makeHeader(msgType)))
            if let header { frames[2] = JSONValue.object(header).serialized() }
            return frames
        }
        var wrongSignature = signedFrames("kernel_info_request")
        wrongSignature[1] = Array(String(repeating: "0", count: 64).utf8)
        var missingSignature = signedFrames("kernel_info_request")
        missingSignature[1] = []
        var malformed = signedFrames("kernel_info_request")
        malformed[5] = Array("{not json".utf8)
        malformed[1] = HMACSigner(key: Array(kernel.connection.key.utf8)).signature(of: Array(malformed[2...5]))
        var missingFields = signedFrames("kernel_info_request", header: ["username": "x"])
        missingFields[1] = HMACSigner(key: Array(kernel.connection.key.utf8)).signature(of: Array(missingFields[2...5]))
        let replayed = signedFrames("kernel_info_request")
        for frames in [wrongSignature, missingSignature, malformed, missingFields, Array(replayed.prefix(4)), [Array("junk".utf8)]] {
            try client.shell.send(frames)
        }
        try client.shell.send(replayed)
        XCTAssertEqual(try client.receive(client.shell)?.msgType, "kernel_info_reply")  // the first copy is answered
        try client.shell.send(replayed)
        XCTAssertNil(try client.receive(client.shell, timeout: 0.3), "a replayed message must be dropped")
        try client.send("unknown_request", [:], on: client.shell)
        XCTAssertNil(try client.receive(client.shell, timeout: 0.3))
        try client.send("kernel_info_request", [:], on: client.shell)
        XCTAssertEqual(try client.receive(client.shell)?.msgType, "kernel_info_reply")
    }

    func testShutdownOnShellStopsRun() throws {
        let header = try client.send("shutdown_request", ["restart": true], on: client.shell)
        let reply = try XCTUnwrap(try client.receive(client.shell))
        XCTAssertEqual(reply.content, ["status": "ok", "restart": true])
        let iopub = try client.iopubUntilIdle(parent: header)
        XCTAssertTrue(iopub.contains { $0.msgType == "shutdown_reply" })
        XCTAssertTrue(kernel.waitUntilStopped())
        client.close()
        client = nil
    }
}
