import Foundation
import Jupyter

/// A tiny language for protocol tests: `echo TEXT`, `warn TEXT`, `fail`, `result TEXT`, `display`,
/// `sleep` (until interrupted, at most 10 s), `ask PROMPT` (password input, echoes the answer).
final class ScriptedHandler: KernelHandler {
    var info: KernelInfo {
        KernelInfo(implementation: "scripted", implementationVersion: "0.1", languageName: "scripted", languageVersion: "1",
                   mimetype: "text/x-scripted", fileExtension: ".scr", banner: "Scripted test kernel",
                   helpLinks: [(text: "Docs", url: "https://example.invalid/docs")])
    }

    func execute(code: String, context: ExecutionContext) -> ExecutionOutcome {
        let (command, argument) = Self.split(code)
        switch command {
        case "echo": context.stream(argument + "\n", toStandardError: false)
        case "warn": context.stream(argument + "\n", toStandardError: true)
        case "fail": return .error(name: "ScriptError", value: "failed on purpose", traceback: ["line 1: fail"])
        case "result": return .ok(result: ["text/plain": .string(argument)])
        case "display":
            context.display(["text/plain": "0%"], metadata: [:], displayID: "progress")
            context.updateDisplay(["text/plain": "100%"], metadata: [:], displayID: "progress")
            context.clearOutput(wait: true)
        case "sleep":
            let deadline = Date().addingTimeInterval(10)
            while Date() < deadline {
                if context.isInterrupted { return .interrupted(message: "sleep interrupted") }
                Thread.sleep(forTimeInterval: 0.01)
            }
        case "ask":
            do {
                let answer = try context.input(prompt: argument, password: true)
                context.stream("got \(answer)\n", toStandardError: false)
            } catch InputError.stdinNotAllowed {
                return .error(name: "StdinNotAllowed", value: "no stdin", traceback: [])
            } catch {
                return .interrupted(message: "input interrupted")
            }
        default: return .error(name: "UnknownCommand", value: command, traceback: [])
        }
        return .ok(result: nil)
    }

    func complete(code: String, cursorPosition: Int) -> Completion {
        let prefix = String(code.unicodeScalars.prefix(cursorPosition))
        return Completion(matches: ["echo", "display"].filter { $0.hasPrefix(prefix) }, cursorStart: 0, cursorEnd: cursorPosition)
    }

    func inspect(code: String, cursorPosition: Int, detailLevel: Int) -> MimeBundle? {
        code.hasPrefix("echo") ? ["text/plain": "echo TEXT: prints TEXT"] : nil
    }

    func isComplete(code: String) -> CodeCompleteness {
        code.hasSuffix("\\") ? .incomplete(indent: "  ") : .complete
    }

    private static func split(_ code: String) -> (String, String) {
        let parts = code.split(separator: " ", maxSplits: 1).map(String.init)
        return (parts.first ?? "", parts.count > 1 ? parts[1] : "")
    }
}
