// Package analysis is the item analysis of an online test by classical
// test theory: how hard each item was, how well it told stronger
// candidates from weaker ones, which options were chosen, how long it
// took, which items deserve a review, and how reliable the test was as a
// whole.
//
// Its input is the matrix of first attempts: one [Attempt] per candidate,
// holding a [Response] for each item the candidate was shown. Candidates
// may have been shown different items (each gets a variant drawn from a
// bank), so every statistic of an item is computed over the candidates who
// were shown it, and the test's reliability over the items every candidate
// was shown. [Items] reports on the items, [Test] on the test. Both are
// pure functions of their input: no clock, no randomness, no storage.
//
// # Scores
//
// A response's score x is its Score divided by its Max, a proportion in
// [0, 1], so that partial credit is possible and items worth different
// points compare. A candidate c's total is the proportion of the points
// they could have scored on the items they were shown:
//
//	T_c = Σ_j Score_cj / Σ_j Max_cj
//
// so that candidates given variants of different lengths or weights
// compare. An item shown and not answered counts with the score it was
// given (normally 0): it was shown, so it is part of the attempt.
//
// # Item statistics
//
// For an item i shown to the N_i candidates C_i:
//
//   - Facility (the p-value): the mean score, p_i = (1/N_i) Σ_{c∈C_i} x_ci.
//     For a dichotomous item (every score 0 or Max) it is the proportion
//     of candidates who got it right.
//   - Discrimination: the corrected item–rest correlation, the Pearson
//     correlation over C_i between the item's score x_ci and the
//     candidate's score on the rest of their attempt,
//     R_ci = (Σ_{j≠i} Score_cj) / (Σ_{j≠i} Max_cj), a proportion too. A
//     candidate shown no other item has no rest score and is left out of
//     this correlation. Leaving the item out of the total removes the part
//     of the correlation that is the item correlating with itself, which
//     matters on short tests.
//   - ItemTotal: the uncorrected item–total correlation, the Pearson
//     correlation over C_i between x_ci and T_c. It is reported beside
//     the corrected one because it is what many tools print.
//
// For a dichotomous item both correlations are point-biserial
// correlations; for a partial-credit item they are the same Pearson
// correlation, which [ItemStats].Dichotomous tells apart. The Pearson
// correlation of n pairs (a_k, b_k) is
//
//	r = Σ (a_k − ā)(b_k − b̄) / √( Σ (a_k − ā)² · Σ (b_k − b̄)² )
//
// in which the 1/n or 1/(n−1) of the covariance and of the variances
// cancel out. For a dichotomous item it equals the textbook point-biserial
// (M_p − M_q)/σ_T · √(p·q), with σ_T the population standard deviation.
//
// The option table ([OptionStats]) lists, for an item with options, every
// option offered, chosen or keyed, in the order of their identifiers:
// how many of the N_i candidates chose it and that count divided by N_i.
// A candidate who chose several options (a multiple-response item) counts
// once for each, so the shares may add up to more than 1. The candidates
// who did not answer are counted apart (Unanswered) and over the same N_i,
// so that for a single-choice item the shares and the unanswered share add
// up to 1.
//
// Times ([Timing]) are over the responses whose time is known (Time > 0),
// answered or not: the mean, and the median (for an even count, halfway
// between the two middle times, rounded down to the nanosecond).
//
// # Test statistics
//
// Over the N attempts, Mean is the mean of T_c and SD its sample standard
// deviation, dividing by N − 1 (not N) as an estimate for the population
// the candidates are drawn from:
//
//	s = √( Σ_c (T_c − T̄)² / (N − 1) )
//
// A textbook's population figure σ is s·√((N−1)/N).
//
// Alpha is Cronbach's α over the K items shown to every candidate (the
// common items; all of them when everyone was shown the same items), on
// the raw points, so that each item weighs what it weighs in the total:
//
//	α = K/(K−1) · (1 − Σ_i s²_i / s²_X),   X_c = Σ_{i common} Score_ci
//
// with s²_i the sample variance of item i's Score and s²_X that of X_c
// (the N − 1 cancel out: population variances give the same α). On
// dichotomous items α is the Kuder–Richardson KR-20. CommonItems says how
// many items α was computed over; with fewer than 2 it is not available.
// For a variant test, α over the common items is the reliability of that
// common part, not of each candidate's variant. α can be negative (items
// that correlate negatively on average); it is reported as it is.
//
// SEM is the standard error of measurement, in the units of T_c:
//
//	SEM = s · √(1 − α)
//
// It is not available when α is not, nor when α is negative, where it
// would exceed the SD.
//
// # Not available, never NaN
//
// A statistic that cannot be computed is a [Stat] whose Available is
// false and whose Reason says why: fewer candidates than it needs
// ([TooFewCandidates]: 2 for a correlation, a standard deviation or α),
// a variable that does not vary ([ZeroVariance]: an item everyone got
// right, candidates whose totals are all equal), fewer than two common
// items ([TooFewCommonItems]), no usable α for the SEM ([AlphaUnavailable],
// [NegativeAlpha]). Its Value is then 0 and means nothing. A variable is
// taken not to vary when its largest and smallest values differ by at
// most 1e-12 times the larger of 1 and their magnitude, so that rounding
// in sums (0.1+0.2 against 0.3) cannot pass for variance. No statistic
// divides by zero, and none is NaN or infinite.
//
// # Flags
//
// [Items] flags the items that deserve a review, against the thresholds
// of [Options] (each comparison strict, so a value on the threshold is
// not flagged). An item shown to fewer than MinN candidates is flagged
// [TooFewResponses] and nothing else: its other statistics are too
// uncertain to act on. Otherwise it may be flagged [TooHard] (facility
// below HardBelow), [TooEasy] (above EasyAbove), [NegativeDiscrimination]
// (discrimination below 0, often a wrong key) or else
// [WeakDiscrimination] (below WeakBelow), and [NonFunctioningDistractor]
// when a distractor (an option offered that is not a key, on an item
// whose key is given) was chosen by a share of candidates below
// DistractorBelow ([OptionStats].NonFunctioning marks
// which). Flags are codes: the edge says them in the reader's language.
//
// docs/design/analysis.md tells the reasons for these choices.
package analysis
