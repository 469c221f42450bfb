#include "storage/ClaimHandoff.h"

#include <algorithm>

namespace outhook {

void ClaimHandoff::open(Lease lease, int room, std::function<void()> arrived)
{
    std::lock_guard lock(m_mutex);
    m_open = true;
    m_lease = std::move(lease);
    m_room = room;
    m_held = 0;
    m_arrived = std::move(arrived);
}

QList<ClaimHandoff::Batch> ClaimHandoff::close()
{
    std::lock_guard lock(m_mutex);
    m_open = false;
    m_arrived = nullptr;
    m_inboxRows = 0;
    return std::exchange(m_inbox, {});
}

QList<ClaimHandoff::Batch> ClaimHandoff::take()
{
    std::lock_guard lock(m_mutex);
    m_held += std::exchange(m_inboxRows, 0);
    return std::exchange(m_inbox, {});
}

void ClaimHandoff::setHeld(int held)
{
    std::lock_guard lock(m_mutex);
    m_held = held;
}

int ClaimHandoff::reserve(int n, Lease* lease)
{
    std::lock_guard lock(m_mutex);
    if (!m_open)
        return 0;
    const int k = std::clamp(m_room - m_held - m_inboxRows - m_reserved, 0, n);
    m_reserved += k;
    *lease = m_lease;
    return k;
}

bool ClaimHandoff::hand(Batch batch, int reserved)
{
    std::lock_guard lock(m_mutex);
    m_reserved -= reserved;
    if (!m_open)
        return false;
    const bool wasEmpty = m_inbox.isEmpty();
    m_inboxRows += int(batch.deliveries.size());
    m_inbox.append(std::move(batch));
    if (wasEmpty && m_arrived)
        m_arrived();
    return true;
}

void ClaimHandoff::giveBack(int reserved)
{
    std::lock_guard lock(m_mutex);
    m_reserved -= reserved;
}

} // namespace outhook
