import Foundation

/// `%sleep SECONDS`: waits, and stops early on interrupt. Handy to try interrupts and heartbeats.
struct SleepMagic: Magic {
    let spec = MagicSpec(
        name: "sleep", summary: "Wait for a number of seconds (stops at once on interrupt)",
        positionals: [.init("SECONDS", help: "how long to wait, e.g. 2 or 0.5")])

    func run(_ arguments: MagicArguments, in context: MagicContext) throws -> RichOutput? {
        guard let seconds = Double(arguments.positionals[0]), seconds >= 0, seconds <= 86_400 else {
            throw MagicError.usage("%sleep needs a number of seconds between 0 and 86400, not '\(arguments.positionals[0])'.")
        }
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            try context.checkCancellation()
            Thread.sleep(forTimeInterval: min(0.02, max(0, deadline.timeIntervalSinceNow)))
        }
        return nil
    }
}
