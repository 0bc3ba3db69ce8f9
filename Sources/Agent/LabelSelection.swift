import Kubernetes
import Model

extension KubeLabelSelector {
    /// The selector as bpfman's ``LabelSelector``.
    ///
    /// - Throws: `AgentError` for an unknown operator.
    func selector() throws(AgentError) -> LabelSelector {
        var requirements = (matchLabels ?? [:]).sorted { $0.key < $1.key }.map { LabelSelector.Requirement.equals($0.key, $0.value) }
        for expression in matchExpressions ?? [] {
            let values = Set(expression.values ?? [])
            switch expression.operator {
            case "In": requirements.append(.isIn(expression.key, values))
            case "NotIn": requirements.append(.notIn(expression.key, values))
            case "Exists": requirements.append(.exists(expression.key))
            case "DoesNotExist": requirements.append(.doesNotExist(expression.key))
            default: throw AgentError("unknown label selector operator \"\(expression.operator)\"")
            }
        }
        return LabelSelector(requirements: requirements)
    }
}

/// A failure of the agent's own logic (the manager and the API have their own errors).
package struct AgentError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    package var description: String
    /// Creates an error.
    package init(_ description: String) { self.description = description }
}
