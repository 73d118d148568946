/// Schools and teachers of a programme: which hub a school belongs to, and under which
/// identifiers a teacher appears in activity logs.
///
/// Read from one CSV with a `kind` column (`school` or `teacher`); header order is free:
///
/// ```text
/// kind,id,name,hub,country,time_zone,size,type,school,xapi_account,mbox_sha1sum,lms_user_id
/// school,S01,Northside Primary,H1,EE,Europe/Tallinn,420,primary,,,,
/// teacher,T001,,,,,,,S01,https://lrs.example|t001,,1001
/// ```
public struct Roster: Sendable, Equatable, Codable {
  /// A school.
  public struct School: Sendable, Equatable, Codable {
    /// School id as used in responses.
    public var id: String
    /// Display name.
    public var name: String
    /// Regional hub id.
    public var hub: String
    /// Country code.
    public var country: String
    /// IANA time zone (for activity days).
    public var timeZone: String
    /// Number of pupils, when known.
    public var size: Int?
    /// School type (primary, secondary, VET...), when known.
    public var type: String?

    /// Creates a school.
    public init(
      id: String, name: String, hub: String, country: String = "", timeZone: String = "UTC",
      size: Int? = nil, type: String? = nil
    ) {
      self.id = id
      self.name = name
      self.hub = hub
      self.country = country
      self.timeZone = timeZone
      self.size = size
      self.type = type
    }
  }

  /// A teacher.
  public struct Teacher: Sendable, Equatable, Codable {
    /// Teacher id as used in responses (`teacher` column).
    public var id: String
    /// School id.
    public var school: String
    /// xAPI account (`homePage|name`), when known.
    public var xapiAccount: String?
    /// SHA-1 of the teacher's mailto IRI, when known.
    public var mboxSHA1: String?
    /// LMS (Moodle) user id, when known.
    public var lmsUserID: String?

    /// Creates a teacher.
    public init(
      id: String, school: String, xapiAccount: String? = nil, mboxSHA1: String? = nil,
      lmsUserID: String? = nil
    ) {
      self.id = id
      self.school = school
      self.xapiAccount = xapiAccount
      self.mboxSHA1 = mboxSHA1
      self.lmsUserID = lmsUserID
    }
  }

  /// The schools.
  public var schools: [School]
  /// The teachers.
  public var teachers: [Teacher]

  /// Creates a roster.
  public init(schools: [School], teachers: [Teacher] = []) {
    self.schools = schools
    self.teachers = teachers
  }

  /// The school with id `id`.
  public func school(_ id: String) -> School? { schools.first { $0.id == id } }
}
