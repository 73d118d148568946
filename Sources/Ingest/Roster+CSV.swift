extension Roster {
  /// The roster as CSV bytes in the layout ``RosterReader`` reads.
  public func csv() -> [UInt8] {
    var out = CSVOutput(delimiter: UInt8(ascii: ","))
    out.record([
      "kind", "id", "name", "hub", "country", "time_zone", "size", "type", "school",
      "xapi_account", "mbox_sha1sum", "lms_user_id",
    ])
    for s in schools {
      out.record([
        "school", s.id, s.name, s.hub, s.country, s.timeZone, s.size.map(String.init) ?? "",
        s.type ?? "", "", "", "", "",
      ])
    }
    for t in teachers {
      out.record([
        "teacher", t.id, "", "", "", "", "", "", t.school, t.xapiAccount ?? "", t.mboxSHA1 ?? "",
        t.lmsUserID ?? "",
      ])
    }
    return out.bytes
  }

  /// Writes the roster to `path` as CSV.
  public func write(to path: String) throws(IngestError) { try FileOutput.write(csv(), to: path) }
}
