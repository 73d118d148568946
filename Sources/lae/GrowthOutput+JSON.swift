import LearningAnalytics

// `lae growth --format json`'s encoders, written by hand with one key type (`JSONKey`): the
// synthesized ones each have their own `CodingKeys`, and the first container of each costs a
// scan of every protocol conformance in the program (about 4 million instructions for this
// document, a tenth of a 1,000-school fit). Optional fields are left out when absent, as the
// synthesized encoders leave them.

extension GrowthOutput {
  func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: JSONKey.self)
    try c.encode(formula, forKey: "formula")
    try c.encode(criterion, forKey: "criterion")
    try c.encode(nobs, forKey: "nobs")
    try c.encode(droppedRows, forKey: "droppedRows")
    try c.encode(groups, forKey: "groups")
    try c.encode(inference, forKey: "inference")
    try c.encode(fixedEffects, forKey: "fixedEffects")
    try c.encode(anova, forKey: "anova")
    try c.encode(droppedFixedEffects, forKey: "droppedFixedEffects")
    try c.encode(randomEffects, forKey: "randomEffects")
    try c.encode(residualSD, forKey: "residualSD")
    try c.encodeIfPresent(residualSDInterval, forKey: "residualSDInterval")
    try c.encodeIfPresent(residualStructure, forKey: "residualStructure")
    try c.encode(theta, forKey: "theta")
    try c.encode(logLikelihood, forKey: "logLikelihood")
    try c.encodeIfPresent(remlCriterion, forKey: "remlCriterion")
    try c.encode(deviance, forKey: "deviance")
    try c.encode(aic, forKey: "aic")
    try c.encode(bic, forKey: "bic")
    try c.encode(r2Marginal, forKey: "r2Marginal")
    try c.encode(r2Conditional, forKey: "r2Conditional")
    try c.encode(icc, forKey: "icc")
    try c.encode(iccByLevel, forKey: "iccByLevel")
    try c.encode(converged, forKey: "converged")
    try c.encode(singular, forKey: "singular")
    try c.encode(diagnostics, forKey: "diagnostics")
    try c.encode(optimizer, forKey: "optimizer")
    try c.encode(conditionalModes, forKey: "conditionalModes")
    try c.encodeIfPresent(lrt, forKey: "lrt")
  }
}

extension GrowthOutput.Fixed {
  func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: JSONKey.self)
    try c.encode(term, forKey: "term")
    try c.encode(estimate, forKey: "estimate")
    try c.encode(stdError, forKey: "stdError")
    try c.encode(tValue, forKey: "tValue")
    try c.encode(df, forKey: "df")
    try c.encode(pValue, forKey: "pValue")
    try c.encode(confidenceInterval, forKey: "confidenceInterval")
  }
}

extension GrowthOutput.Method {
  func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: JSONKey.self)
    try c.encode(df, forKey: "df")
    try c.encode(confidenceInterval, forKey: "confidenceInterval")
    try c.encode(confidenceLevel, forKey: "confidenceLevel")
    try c.encode(description, forKey: "description")
  }
}

extension GrowthOutput.TermTest {
  func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: JSONKey.self)
    try c.encode(term, forKey: "term")
    try c.encode(coefficients, forKey: "coefficients")
    try c.encode(numDF, forKey: "numDF")
    try c.encode(denDF, forKey: "denDF")
    try c.encode(fValue, forKey: "fValue")
    try c.encode(pValue, forKey: "pValue")
  }
}

extension GrowthOutput.LevelICC {
  func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: JSONKey.self)
    try c.encode(group, forKey: "group")
    try c.encode(icc, forKey: "icc")
  }
}

extension GrowthOutput.ICC {
  func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: JSONKey.self)
    try c.encode(adjusted, forKey: "adjusted")
    try c.encode(conditional, forKey: "conditional")
  }
}

extension GrowthOutput.Random {
  func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: JSONKey.self)
    try c.encode(group, forKey: "group")
    try c.encode(terms, forKey: "terms")
    try c.encode(sd, forKey: "sd")
    try c.encode(correlation, forKey: "correlation")
    try c.encodeIfPresent(sdInterval, forKey: "sdInterval")
    try c.encodeIfPresent(correlationIntervals, forKey: "correlationIntervals")
  }
}

extension GrowthOutput.Diagnostic {
  func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: JSONKey.self)
    try c.encode(kind, forKey: "kind")
    try c.encode(message, forKey: "message")
  }
}

extension GrowthOutput.LRT {
  func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: JSONKey.self)
    try c.encode(smaller, forKey: "smaller")
    try c.encode(larger, forKey: "larger")
    try c.encode(chisq, forKey: "chisq")
    try c.encode(df, forKey: "df")
    try c.encode(pValue, forKey: "pValue")
  }
}

extension GrowthOutput.Optimizer {
  func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: JSONKey.self)
    try c.encode(algorithm, forKey: "algorithm")
    try c.encode(status, forKey: "status")
    try c.encode(evaluations, forKey: "evaluations")
    try c.encode(start, forKey: "start")
  }
}
