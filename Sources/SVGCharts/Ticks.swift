/// The values marked on a value axis: from 0 up to at least the largest value,
/// in round steps, about `count` of them.
public func ticks(upTo maximum: Double, kind: ValueKind, count: Int = 4) -> [Double] {
    guard maximum.isFinite, maximum > 0 else { return [0, 1] }
    let step = niceStep(maximum / Double(max(1, count)), kind: kind)
    let steps = (maximum / step).rounded(.up)
    return (0...Int(max(1, steps))).map { Double($0) * step }
}

/// The smallest round step at least `rough`.
func niceStep(_ rough: Double, kind: ValueKind) -> Double {
    switch kind {
    case .duration:
        // Seconds, minutes, hours, days.
        let steps: [Double] = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10_800, 21_600, 43_200, 86_400]
        if let step = steps.first(where: { $0 >= rough }) { return step }
        return 86_400 * niceStep(rough / 86_400, kind: .count)
    case .count:
        var power = 1.0
        while power * 10 <= rough { power *= 10 }
        for multiple in [1.0, 2, 5, 10] where power * multiple >= rough { return power * multiple }
        return power * 10
    }
}

/// A value as an axis shows it when the caller gives no format: whole numbers
/// plainly, others with up to two decimals.
public func plainNumber(_ value: Double) -> String {
    guard value.isFinite else { return "" }
    if value == value.rounded() { return String(Int64(value)) }
    let hundredths = (value * 100).rounded() / 100
    var text = "\(hundredths)"
    while text.hasSuffix("0") { text.removeLast() }
    return text
}
