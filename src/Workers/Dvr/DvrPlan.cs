namespace Platform.Workers.Dvr;

/// <summary>How a published stream is split into recording files (SRS's <c>dvr_plan</c>).</summary>
public enum DvrPlan
{
    /// <summary>One file per publish: the file is closed when the publisher leaves.</summary>
    Session,

    /// <summary>A new file every <c>dvr_duration</c>, cut at a video keyframe.</summary>
    Segment,
}
