// Dates arrive in UTC; each is shown in the reader's own time zone, with the UTC time on hover.
document.addEventListener("DOMContentLoaded", () => {
    for (const time of document.querySelectorAll("time[datetime]")) {
        const at = new Date(time.getAttribute("datetime"));
        if (Number.isNaN(at.getTime())) continue;
        time.title = time.textContent.trim();
        time.textContent = at.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
    }
});
