// Click counts of news pages. The JSP answers a bare number for clickid=, and the
// numbers joined by commas, in the same order, for the batched clickids= form.
var _dynclicks_url = "/system/resource/code/news/click/dynclicks.jsp";

function _dynclicks_get(query, done) {
    var xhr = new XMLHttpRequest();
    xhr.open("GET", _dynclicks_url + "?" + query, true);
    xhr.onreadystatechange = function () {
        if (xhr.readyState == 4 && xhr.status == 200) {
            done(xhr.responseText);
        }
    };
    xhr.send(null);
}

function _showDynClicks(clicktype, owner, clickid) {
    var spanid = "dynclicks_" + clicktype + "_" + clickid;
    document.write('<span id="' + spanid + '"></span>');
    _dynclicks_get("clickid=" + clickid + "&owner=" + owner + "&clicktype=" + clicktype, function (text) {
        document.getElementById(spanid).innerHTML = text;
    });
}

function _showDynClickBatch(spanids, clickids, clicktype, owner) {
    _dynclicks_get("clickids=" + clickids.join(",") + "&owner=" + owner + "&clicktype=" + clicktype, function (text) {
        var counts = text.split(",");
        for (var i = 0; i < spanids.length; i++) {
            var span = document.getElementById(spanids[i]);
            if (span) {
                span.innerHTML = counts[i];
            }
        }
    });
}
