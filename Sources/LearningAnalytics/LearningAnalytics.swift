@_exported import Activity
@_exported import Ingest
// The umbrella module: `import LearningAnalytics` gives every public module of the engine.
@_exported import MatrixCore
@_exported import Optimization
@_exported import Reporting
@_exported import Scoring
@_exported import Simulation
