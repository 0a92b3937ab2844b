namespace OrleansLlm.Scheduling.Admission;

/// <summary>How a GPU silo serves the loads waiting for its room (<c>OLLM_LOAD_ORDER</c>).</summary>
public enum LoadOrder
{
    /// <summary>In arrival order, as the seed's single queue does.</summary>
    Fifo,

    /// <summary>Most waiting requests first; a load past the starvation bound goes before any other.</summary>
    Demand,
}
