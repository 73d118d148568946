import ArgumentParser
import Foundation
import LearningAnalytics

extension FeatureTable.MissingValues: ExpressibleByArgument {}

/// `lae cluster`: k-means, Gaussian mixtures (as mclust) or Ward clustering of units.
struct ClusterCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "cluster",
    abstract: "Cluster units into profiles: k-means, Gaussian mixtures (as mclust) or Ward.",
    discussion: """
      Reads numeric columns of any CSV file, including `lae score --layout wide` output. Rows \
      with a missing feature are dropped and counted, or imputed with --impute mean. Labels are \
      canonical: profile 1 has the lowest score on the first principal component (or on \
      --label-by). BIC is reported in both conventions: bic = -2 logL + p ln n (lower is \
      better) and mclustBIC = 2 logL - p ln n (higher is better).
      """)

  enum Method: String, ExpressibleByArgument, CaseIterable {
    case kmeans
    case gmm
    case ward
  }

  enum Format: String, ExpressibleByArgument, CaseIterable {
    case table
    case json
    case csv
  }

  @Option(help: "Data CSV (one row per unit).")
  var data: String

  @Option(help: "Feature columns, comma-separated.")
  var columns: String

  @Option(help: "Column naming the units (default: row numbers).")
  var id: String?

  @Option(help: "kmeans, gmm or ward.")
  var method: Method = .kmeans

  @Option(help: "Number of clusters, or a range such as 2-8 (default 3; gmm: 1-9).")
  var k: String?

  @Option(help: "k-means starts (default 10); gmm: extra k-means++ starts per fit (default 0).")
  var starts: Int?

  @Option(help: "Random seed (default 1).")
  var seed: UInt64 = 1

  @Flag(help: "Centre and divide each column by its sample SD (n - 1), as R's scale.")
  var standardize = false

  @Option(help: "Missing features: drop the row (default) or mean.")
  var impute: FeatureTable.MissingValues = .drop

  @Option(help: "gmm covariance models: all or a list such as EII,VVV.")
  var models: String = "all"

  @Option(
    help: "Number profiles by the mean of this column instead of the first principal component.")
  var labelBy: String?

  @Option(help: "Threads for k-means starts and mixture fits (default 1; results do not change).")
  var threads: Int = 1

  @Option(
    help: "Units scored by the silhouette; above this a seeded sample (default 10000; 0 skips it).")
  var silhouetteSample: Int = 10_000

  @Option(help: "table, json or csv (one row per unit).")
  var format: Format = .table

  @OptionGroup var progress: ProgressOptions

  @Option(
    name: .customLong("blas-threads"),
    help: "Threads BLAS may use (default 1).")
  var blasThreads: Int?

  func validate() throws {
    if let n = blasThreads, n < 1 {
      throw ValidationError("--blas-threads must be at least 1, got \(n).")
    }
    if threads < 1 || silhouetteSample < 0 {
      throw ValidationError("--threads must be at least 1 and --silhouette-sample at least 0.")
    }
    if let starts, starts < 0 || (starts == 0 && method == .kmeans) {
      throw ValidationError("--starts must be at least 1 for kmeans and 0 or more for gmm.")
    }
    if let k, Self.parseRange(k) == nil {
      throw ValidationError("--k must be a number or a range such as 2-8, got '\(k)'.")
    }
    if CovarianceModel.parseList(models) == nil {
      throw ValidationError(
        "--models must be 'all' or a list of \(CovarianceModel.allCases.map(\.rawValue).joined(separator: ","))."
      )
    }
    if method != .gmm, let r = k.flatMap(Self.parseRange), r.lowerBound < 1 {
      throw ValidationError("--k must be at least 1.")
    }
  }

  static func parseRange(_ text: String) -> ClosedRange<Int>? {
    let parts = text.split(separator: "-").map { Int($0.trimmingCharacters(in: .whitespaces)) }
    if parts.count == 1, let a = parts[0], a >= 1 { return a...a }
    if parts.count == 2, let a = parts[0], let b = parts[1], a >= 1, a <= b { return a...b }
    return nil
  }

  func run() throws {
    BLASConfiguration.setThreadCount(blasThreads ?? 1)
    do {
      let featureNames = columns.split(separator: ",").map {
        $0.trimmingCharacters(in: .whitespaces)
      }
      let table = try FeatureTable.read(
        data, columns: featureNames, idColumn: id, missingValues: impute,
        standardize: standardize, threads: threads)
      var order = LabelOrder.firstPrincipalComponent
      if let labelBy {
        guard let j = featureNames.firstIndex(of: labelBy) else {
          throw ClusteringError.unknownColumn(column: labelBy, source: "--columns")
        }
        order = .indicator(j)
      }
      let range = k.flatMap(Self.parseRange) ?? (method == .gmm ? 1...9 : 3...3)
      var rng = SplitMix64(seed: seed)
      ClusterReport.threads = threads
      ClusterReport.silhouetteSample = silhouetteSample
      ClusterReport.perUnit = format != .table
      let bar = progress.enabled ? CountProgress(label: "fitting") : nil
      defer { bar?.finish() }
      if let bar {
        ClusterReport.progress = { @Sendable (done: Int, total: Int) in
          bar.update(done, of: total, "fits")
        }
      }
      let report: ClusterReport
      switch method {
      case .kmeans:
        report = try ClusterReport.kMeans(
          table, range: range, starts: starts ?? 10, order: order, using: &rng)
      case .ward:
        report = try ClusterReport.ward(table, range: range, order: order, using: &rng)
      case .gmm:
        report = try ClusterReport.mixtures(
          table, range: range, models: CovarianceModel.parseList(models) ?? [],
          starts: starts ?? 0, order: order, using: &rng)
      }
      bar?.finish()
      let full = report.with(input: table, data: data, idColumn: id, seed: seed, missing: impute)
      switch format {
      case .json:
        let inputs = data == "-" ? [] : [try Provenance.InputFile(hashingFileAt: data)]
        let document = ProvenancedDocument(
          provenance: Provenance(commandLine: CommandLine.arguments, inputs: inputs, seed: seed),
          body: full)
        print(try document.jsonString())
      case .csv:
        print(full.csv())
      case .table:
        print(full.text())
      }
    } catch {
      throw fail(error)
    }
  }
}
