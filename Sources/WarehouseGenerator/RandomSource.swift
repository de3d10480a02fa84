import Foundation
import WarehouseCore

/// A small seedable pseudo-random generator (SplitMix64) with the draws the
/// export generator needs.
///
/// It deliberately does not conform to `RandomNumberGenerator`: the standard
/// library's `random(in:using:)` algorithms are not promised to stay the same
/// between Swift releases, and generated files must be byte-identical for a seed.
/// Every draw here is defined in this file. The continuous draws go through the C
/// library's `log`, `exp` and `cos`, so identical output is promised on one
/// platform; another C library may, very rarely, round a second differently.
public struct RandomSource {
    private var state: UInt64

    public init(seed: UInt64) {
        state = seed
    }

    /// An independent stream of `seed`, for example one per contact, so that the
    /// data of one stream does not depend on how many draws another made.
    public init(seed: UInt64, stream: UInt64) {
        state = RandomSource.mix(seed ^ RandomSource.mix(stream &+ 0x632B_E59B_D9B4_E019))
    }

    /// The SplitMix64 finaliser: a bijection of 64-bit values with good avalanche.
    @inline(__always)
    public static func mix(_ x: UInt64) -> UInt64 {
        var z = x
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    @inline(__always)
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return Self.mix(state)
    }

    /// Uniform in [0, 1).
    @inline(__always)
    public mutating func unit() -> Double {
        Double(next() >> 11) * 0x1p-53
    }

    /// Uniform in 0..<n (n > 0), by the high half of a 64×64-bit product.
    @inline(__always)
    public mutating func below(_ n: Int) -> Int {
        precondition(n > 0)
        return Int(next().multipliedFullWidth(by: UInt64(n)).high)
    }

    /// Uniform in lo...hi.
    @inline(__always)
    public mutating func between(_ lo: Int, _ hi: Int) -> Int {
        lo + below(hi - lo + 1)
    }

    /// Uniform in lo...hi for 64-bit values.
    public mutating func between64(_ lo: Int64, _ hi: Int64) -> Int64 {
        lo + Int64(next().multipliedFullWidth(by: UInt64(hi - lo + 1)).high)
    }

    /// True with probability p.
    @inline(__always)
    public mutating func chance(_ p: Double) -> Bool {
        unit() < p
    }

    /// A standard normal draw (Box–Muller).
    public mutating func normal() -> Double {
        let u1 = 1 - unit()  // (0, 1]
        let u2 = unit()
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }

    /// A log-normal draw with the given median and shape: most values near the
    /// median, a long tail above it.
    public mutating func logNormal(median: Double, sigma: Double) -> Double {
        median * exp(sigma * normal())
    }

    /// A Poisson count with the given mean (Knuth's method; a rounded normal
    /// approximation above 60).
    public mutating func poisson(_ mean: Double) -> Int {
        guard mean > 0 else { return 0 }
        if mean > 60 {
            return max(0, Int((mean + mean.squareRoot() * normal()).rounded()))
        }
        let limit = exp(-mean)
        var k = 0
        var p = unit()
        while p > limit {
            k += 1
            p *= unit()
        }
        return k
    }

    /// One element of a non-empty array.
    @inline(__always)
    public mutating func pick<T>(_ items: [T]) -> T {
        items[below(items.count)]
    }
}

/// Choices with fixed weights, drawn by binary search over the running totals.
public struct WeightedTable {
    private let cumulative: [Double]

    public init(_ weights: [Double]) {
        precondition(!weights.isEmpty)
        var total = 0.0
        cumulative = weights.map { total += max(0, $0); return total }
    }

    public var count: Int { cumulative.count }

    /// An index, with probability proportional to its weight.
    public func draw(_ random: inout RandomSource) -> Int {
        let target = random.unit() * cumulative[cumulative.count - 1]
        var lo = 0
        var hi = cumulative.count - 1
        while lo < hi {
            let mid = (lo + hi) / 2
            if cumulative[mid] > target { hi = mid } else { lo = mid + 1 }
        }
        return lo
    }
}
