@_exported import Activity
@_exported import Clustering
@_exported import Ingest
// The umbrella module: `import LearningAnalytics` gives every public module of the engine.
@_exported import MatrixCore
@_exported import Mentoring
@_exported import MixedModels
@_exported import Optimization
@_exported import Report
@_exported import Reporting
@_exported import Scoring
@_exported import Simulation
