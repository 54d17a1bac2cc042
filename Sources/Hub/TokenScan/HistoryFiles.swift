import Foundation

/// The shell and Python history files `--home` scans: `~/.bash_history`, `~/.zsh_history`, `$HISTFILE`,
/// `~/.python_history`, and IPython's `history.sqlite` in every profile (`$IPYTHONDIR`, default `~/.ipython`).
public enum HistoryFiles {
    /// The files that exist, for `home` and the process `environment`.
    public static func existing(home: String, environment: [String: String]) -> [String] {
        var candidates = [".bash_history", ".zsh_history", ".python_history", ".sh_history", ".local/share/fish/fish_history"]
            .map { home + "/" + $0 }
        if let histfile = environment["HISTFILE"], !histfile.isEmpty { candidates.append(histfile) }
        let ipython = environment["IPYTHONDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? home + "/.ipython"
        for entry in FileSystem.entries(in: ipython) ?? [] where entry.name.hasPrefix("profile_") {
            candidates.append(ipython + "/" + entry.name + "/history.sqlite")
        }
        var seen = Set<String>()
        return candidates.filter { path in
            guard FileSystem.status(of: path)?.kind == .regular else { return false }
            return seen.insert(FileSystem.realPath(path) ?? path).inserted
        }
    }
}
