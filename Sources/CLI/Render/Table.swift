/// A tabwriter-style table: uppercase headers, columns padded to the widest
/// cell plus two spaces, the last column unpadded.
package struct Table {
    var headers: [String]
    var rows: [[String]] = []

    package init(_ headers: [String]) { self.headers = headers }

    package mutating func append(_ row: [String]) { rows.append(row) }

    package func rendered() -> String {
        let all = [headers] + rows
        var widths = [Int](repeating: 0, count: headers.count)
        for row in all { for (index, cell) in row.enumerated() where index < widths.count { widths[index] = max(widths[index], cell.count) } }
        var output = ""
        for row in all {
            var line = ""
            for (index, cell) in row.enumerated() {
                if index == row.count - 1 { line += cell } else { line += cell + String(repeating: " ", count: widths[index] - cell.count + 2) }
            }
            output += line + "\n"
        }
        return output
    }
}

/// A section of a detail view, as the reference prints `program get` and
/// `link get`: a `Title:` line, then `Label: value` rows indented two more
/// spaces, sorted by label and aligned on the longest label; then, in the
/// order added, trailing rows whose value may be nested sections (`Maps:`
/// with one section per map), and bare lines.
struct DetailSection {
    /// A row's value: text, or nested sections (`None` when there are none).
    enum Value {
        case text(String)
        case sections([DetailSection])
    }

    var title: String
    private var rows: [(String, Value)] = []
    private var trailing: [(String, Value)] = []
    private var lines: [String] = []

    init(_ title: String) { self.title = title }

    /// A row sorted among the others by its label.
    mutating func add(_ label: String, _ value: String) { rows.append((label, .text(value))) }

    /// A row after the sorted ones, in the order added.
    mutating func addTrailing(_ label: String, _ value: Value) { trailing.append((label, value)) }

    /// A bare line after the rows.
    mutating func addLine(_ line: String) { lines.append(line) }

    /// The section with its title at `indent` spaces.
    func rendered(indent: Int = 0) -> String {
        let pad = String(repeating: " ", count: indent + 2)
        var output = String(repeating: " ", count: indent) + title + ":\n"
        let all = rows.sorted { $0.0 < $1.0 } + trailing
        let width = all.map(\.0.count).max() ?? 0
        for (label, value) in all {
            let aligned = pad + label + ":" + String(repeating: " ", count: width - label.count + 1)
            switch value {
            case .text(let text):
                output += aligned + text + "\n"
            case .sections(let sections) where sections.isEmpty:
                output += aligned + "None\n"
            case .sections(let sections):
                output += pad + label + ":\n" + sections.map { $0.rendered(indent: indent + 4) }.joined()
            }
        }
        return output + lines.map { pad + $0 + "\n" }.joined()
    }
}
