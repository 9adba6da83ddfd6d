namespace Cauchy.ServiceDefaults.Security;

/// <summary>
/// What a caller may do. The human roles are ordered (<see cref="Viewer"/> &lt; <see cref="Researcher"/> &lt;
/// <see cref="Maintainer"/> &lt; <see cref="Admin"/>): each may do what the ones below it may. <see cref="Service"/> is the
/// platform's own services (trainers included); see <see cref="PlatformRoles.Satisfies"/>.
/// </summary>
public enum PlatformRole
{
    /// <summary>An authenticated caller that holds no platform role (a JWT without one): it may call nothing.</summary>
    None = 0,

    /// <summary>Reads everything: gets, lists, watches, logs, downloads.</summary>
    Viewer = 1,

    /// <summary>Creates datasets, imports, submits and cancels its own jobs, evaluates.</summary>
    Researcher = 2,

    /// <summary>Promotes, archives, deletes, drains, cancels any job.</summary>
    Maintainer = 3,

    /// <summary>Manages platform tokens.</summary>
    Admin = 4,

    /// <summary>A platform service: leases and reports jobs, appends logs, registers versions, checks tokens.</summary>
    Service = 10,
}
