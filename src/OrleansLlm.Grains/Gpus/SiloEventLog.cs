using OrleansLlm.Abstractions.Gpus;

namespace OrleansLlm.Grains.Gpus;

/// <summary>
/// A GPU silo's most recent <see cref="Capacity"/> events, oldest dropped first: enough for the
/// dashboard's "recent loads and evictions", bounded however long the silo runs. Used only inside
/// the grain's turns, so it needs no lock.
/// </summary>
internal sealed class SiloEventLog
{
    public const int Capacity = 50;

    private readonly Queue<SiloEvent> _events = new(Capacity);

    public void Add(SiloEvent item)
    {
        if (_events.Count == Capacity)
            _events.Dequeue();
        _events.Enqueue(item);
    }

    public IReadOnlyList<SiloEvent> ToList() => [.. _events];
}
