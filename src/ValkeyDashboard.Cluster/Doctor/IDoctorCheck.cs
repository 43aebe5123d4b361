namespace ValkeyDashboard.Cluster.Doctor;

/// <summary>
/// One thing the doctor looks for: a pure function of what was observed, returning its findings (each with its fix,
/// when one exists). Adding a check is adding one class and registering it.
/// </summary>
public interface IDoctorCheck
{
    IEnumerable<DoctorFinding> Check(DoctorObservations observations);
}
