/// What `%help` shows without a magic's name: a short getting-started page (log in, see the token in force, look,
/// download, where files go, troubleshooting), then every magic grouped by task.
enum GettingStartedPage {
    /// One step of the tour: what to do, the line to type, and what it gives.
    struct Step {
        let title: String
        let line: String
        let detail: String
    }

    static let steps = [
        Step(title: "Log in", line: "%hf_login",
             detail: "shows a link and a code to approve in the browser (or %hf_login --paste for a token). The token is saved where huggingface_hub looks, so Python on this machine uses it too."),
        Step(title: "See which token is in force", line: "%whoami",
             detail: "the account and where its token came from; %auth_list lists saved tokens and %auth_switch NAME changes account."),
        Step(title: "Look before downloading", line: "%info openai-community/gpt2",
             detail: "size, access, licence, parameters, and what is already cached."),
        Step(title: "Download", line: "%download openai-community/gpt2 config.json",
             detail: "one file, several, or the whole repo (--include \"*.json\", --dry-run). Interrupt to stop; run it again to resume."),
        Step(title: "Where the files went", line: "%cache ls",
             detail: "into the shared Hugging Face cache (HF_HUB_CACHE). Python's hf_hub_download(\"openai-community/gpt2\", \"config.json\") or from_pretrained(\"openai-community/gpt2\") finds them there without downloading again."),
        Step(title: "When something fails", line: "%doctor",
             detail: "checks the connection, token, cache and repo access and says how to fix each problem; %token_source explains which token wins."),
    ]

    /// Task groups in the order shown; a magic in none of them is listed under the last, "notebook".
    static let groups: [(task: String, magics: [String])] = [
        ("log in and tokens", ["hf_login", "whoami", "auth_list", "auth_switch", "hf_logout", "token_source", "dotenv"]),
        ("look and download", ["info", "download"]),
        ("cache", ["cache"]),
        ("diagnostics", ["doctor", "hf_env"]),
        ("security", ["token_scan"]),
        ("notebook", ["help", "lsmagic", "set", "echo", "sleep"]),
    ]

    static func render(_ registry: MagicRegistry) -> RichOutput {
        let intro = "Getting started with HubKernel: each cell holds %magic lines (and # comments)."
        let outro = "%help MAGIC (or MAGIC --help, or Shift-Tab on a magic) shows its options."
        var text = [intro, ""]
        var html = "<div class=\"hubkernel-help\"><p>\(HTML.escape(intro))</p><ol>"
        for step in steps {
            text.append("\(step.title): \(step.line)\n    \(step.detail)")
            html += "<li><b>\(HTML.escape(step.title))</b>: <code>\(HTML.escape(step.line))</code> — \(HTML.escape(step.detail))</li>"
        }
        html += "</ol><p><b>Magics by task</b></p>"
        let table = tasksTable(registry)
        text += ["", "Magics by task", table.text, "", outro]
        html += table.html + "<p>\(HTML.escape(outro))</p></div>"
        return RichOutput(text: text.joined(separator: "\n"), html: html)
    }

    /// task · magic · summary, the task named on its first row only.
    static func tasksTable(_ registry: MagicRegistry) -> Table {
        let grouped = Set(groups.flatMap(\.magics))
        var table = Table(columns: ["task", "magic", "what it does"])
        for (index, group) in groups.enumerated() {
            let others = index == groups.count - 1 ? registry.names.filter { !grouped.contains($0) } : []
            let names = group.magics.filter { registry.magic(named: $0) != nil } + others
            for (row, name) in names.enumerated() {
                table.append([row == 0 ? group.task : "", "%" + name, registry.magic(named: name)?.spec.summary ?? ""])
            }
        }
        return table
    }
}
